"""The model loop: the labelled corpus, training and evaluation, model files, review, drift."""
