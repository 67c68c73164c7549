"""Large batches: reports and findings tables of any size classified a chunk at a time, in this
process, over the processes of this machine or on a Dask cluster, with memory flat in the size of
the batch and the same output whichever way it ran (:func:`pipeline.batch.run.classify_batch`).
"""
