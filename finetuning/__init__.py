"""Training, evaluation and the model tournament of the risk classifier (never imported by the platform)."""
