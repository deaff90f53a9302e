"""An offline EDGAR: serves a folder of filings (`EDGAR_MIRROR_DIR`, the tests' corpus) under
EDGAR's URL shapes and failure answers. It imports nothing from the acquisition or preprocessing
code it stands in for, so what it serves is never derived by the code under test."""
