"""The policy questions count an obstacle only when the method that found it is precise
enough (JEJARING_MIN_CONFIDENCE, or ?min_confidence per request); a person's confirmation
vouches for a mention whatever its method."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.workspace import Workspace
from search.embedding import Embedder

# "anggran" is a typo of anggaran: funding is found by the fuzzy matcher (confidence 0.90);
# the families who withdraw their reports out of fear, by a pattern (0.95).
SINJAI = """Judul: Kemitraan perlindungan anak di Kabupaten Sinjai

Abstrak: Penelitian dilakukan di Kabupaten Sinjai bersama Dinas Sosial. Kendalanya yaitu
anggran yang kecil. Banyak keluarga mencabut laporannya karena takut digunjing tetangga.
"""


TOKEN = "confidence-token"


def _categories(answer: dict) -> set[str]:
    return {o["category"] for o in answer["obstacles"]}


def test_min_confidence_filters_the_policy_questions(
    settings: Settings, embedder: Embedder
) -> None:
    settings = settings.replace(api_token=TOKEN)
    with Workspace(settings, embedder=embedder) as workspace:
        outcome = workspace.ingest_bytes(SINJAI.encode(), "sinjai.txt")
        assert outcome.status == "ingested" and outcome.doc_id
        doc_id = outcome.doc_id
        with TestClient(create_app(settings, workspace)) as client:
            default = client.get("/obstacles/recurring", params={"min_places": 1}).json()
            assert default["min_confidence"] == settings.min_confidence == 0.85
            assert {"funding", "reporting_stigma"} <= _categories(default)

            strict = client.get(
                "/obstacles/recurring", params={"min_places": 1, "min_confidence": 0.92}
            ).json()
            assert "funding" not in _categories(strict)  # fuzzy, 0.90
            assert "reporting_stigma" in _categories(strict)  # pattern, 0.95

            matrix = client.get("/obstacles/matrix", params={"min_confidence": 0.92}).json()
            assert "funding" not in str(matrix) and "reporting_stigma" in str(matrix)
            everything = client.get("/obstacles/matrix", params={"min_confidence": 0}).json()
            assert "funding" in str(everything)

            refused = client.get("/obstacles/recurring", params={"min_confidence": 1.5})
            assert refused.status_code == 422

            # A person confirms the fuzzy match: it counts at any floor from then on.
            made = client.post(
                f"/documents/{doc_id}/curations", headers={"Authorization": f"Bearer {TOKEN}"},
                json={"kind": "obstacle", "concept": "funding", "action": "confirm",
                      "note": "the typo is anggaran"},
            )  # fmt: skip
            assert made.status_code == 201, made.text
            confirmed = client.get(
                "/obstacles/recurring", params={"min_places": 1, "min_confidence": 0.92}
            ).json()
            assert "funding" in _categories(confirmed)
