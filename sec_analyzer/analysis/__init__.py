"""Embedding, classification and comparison of risk factors: not built yet; no open issue covers
them. Their assets are declared placeholders (`sec_analyzer/defs/analysis/assets.py`)."""
