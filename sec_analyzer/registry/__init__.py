"""Model registry: versions of trained risk classifiers, their metrics, and the champion.

`models/registry/{model_name}/{version}/` holds a version's artifacts and its `metadata.json`
(a `ModelRegistryEntry`); `ModelRegistryManager` creates, lists and loads versions and moves
them between candidate, champion and archived through the champion/challenger gate
(`gate.py`, thresholds in `configs/registry.yaml`). `loaders.py` turns an entry into a
`RiskClassifier`. Nothing here imports Dagster; torch and scikit-learn load only with a model.
"""
