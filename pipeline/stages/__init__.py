"""The stages a report flows through, in order.

read → normalize → segment (together: parse) → words → classify → aggregate → summary → report.
"""
