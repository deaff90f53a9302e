"""Model registry (versions, metrics, promotion): not built yet; no open issue covers it.

The results schema already has its table (`storage.models.ModelRegistryRow`).
"""
