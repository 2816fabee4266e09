"""Extraction on the demo studies and on hand-written records, with evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from records import ENGLISH_RECORD, HEADER_RECORD

from ingest.extract import extract_mentions
from ingest.model import Document
from ingest.structure import document_from_pdf, document_from_record


def extracted(doc: Document, lexicon) -> Document:
    doc.mentions = extract_mentions(doc, lexicon)
    return doc


def local(mention) -> str:
    return mention.concept.rsplit("/", 1)[-1]


def of_type(doc: Document, kind: str) -> dict[str, object]:
    return {local(m): m for m in doc.mentions if m.type == kind}


@pytest.fixture(scope="module")
def sapitri(corpus_pdfs: list[Path], lexicon) -> Document:
    path = next(p for p in corpus_pdfs if "sapitri" in p.name)
    return extracted(document_from_pdf(path.read_bytes(), path.name), lexicon)


@pytest.fixture(scope="module")
def tebing_tinggi(corpus_pdfs: list[Path], lexicon) -> Document:
    path = next(p for p in corpus_pdfs if "tebing" in p.name)
    return extracted(document_from_pdf(path.read_bytes(), path.name), lexicon)


def test_sapitri_stakeholders_theories_obstacles(sapitri: Document) -> None:
    stakeholders = of_type(sapitri, "stakeholder")
    assert {"p2tp2a", "village_government"} <= set(stakeholders)
    assert stakeholders["p2tp2a"].label == "P2TP2A"
    theories = of_type(sapitri, "theory")
    assert theories["partnership_models_notoatmodjo"].role == "framework"
    assert theories["partnership_models_sulistiyani"].role == "cited"
    assert "qualitative_research_moleong" in of_type(sapitri, "method")
    assert "funding" in of_type(sapitri, "obstacle")


def test_sapitri_places_and_roles(sapitri: Document) -> None:
    places = {m.code: m for m in sapitri.mentions if m.type == "place"}
    for code in ("21.04.11.2001", "21.04.11", "21.04"):
        assert places[code].role == "studied", code
    # The province is named beside its regency: the study is of the regency, not the province.
    assert places["21"].role == "mentioned"
    assert places["21.04"].level == "regency" and places["21.04"].province == "Kepulauan Riau"
    assert places["21.72"].role == "mentioned"  # Tanjungpinang: the authors' address
    assert "18.10" not in places  # Pringsewu appears only in a reference title


def test_tebing_tinggi_obstacles_from_the_findings(tebing_tinggi: Document) -> None:
    obstacles = set(of_type(tebing_tinggi, "obstacle"))
    assert {
        "coordination",
        "funding",
        "public_awareness",
        "sectoral_ego",
        "trust",
        "commitment",
        "communication",
    } <= obstacles
    theory = of_type(tebing_tinggi, "theory")["collaborative_governance"]
    assert theory.role == "framework" and theory.year == 2007
    places = {m.code: m.role for m in tebing_tinggi.mentions if m.type == "place"}
    assert places == {"12.76": "studied"}


def test_every_mention_has_evidence_with_page_and_quote(sapitri: Document) -> None:
    for mention in sapitri.mentions:
        assert mention.evidence, mention
        for evidence in mention.evidence:
            assert evidence.page >= 1
            assert evidence.quote and len(evidence.quote) <= 400
            if evidence.end > evidence.start:
                assert (
                    " ".join(sapitri.text[evidence.start : evidence.end].split()) == evidence.quote
                )


def test_record_extraction(lexicon) -> None:
    doc = extracted(document_from_record(HEADER_RECORD.encode(), "garut.txt"), lexicon)
    assert {"uptd_ppa", "unit_ppa"} <= set(of_type(doc, "stakeholder"))
    assert of_type(doc, "theory")["collaborative_governance"].role == "framework"
    assert {"funding", "human_resources", "public_awareness"} <= set(of_type(doc, "obstacle"))
    places = {m.code: m.role for m in doc.mentions if m.type == "place"}
    assert places.get("32.05") == "studied"  # Kabupaten Garut


def test_english_record(lexicon) -> None:
    doc = extracted(document_from_record(ENGLISH_RECORD.encode(), "makassar.md"), lexicon)
    assert {"dp3a", "patbm"} <= set(of_type(doc, "stakeholder"))
    assert {"funding", "coordination", "sectoral_ego"} <= set(of_type(doc, "obstacle"))
    assert of_type(doc, "theory")["partnership_models_notoatmodjo"].year == 2010
    assert {m.code for m in doc.mentions if m.type == "place"} >= {"73.71"}


def test_recommendations_and_definitions_are_not_obstacles(lexicon) -> None:
    text = (
        "Judul: Uji\n\nABSTRAK\nMenurut Ansell dan Gash (2007), kepercayaan dan komitmen adalah "
        "unsur kolaborasi. Pemerintah desa perlu meningkatkan koordinasi dan anggaran. "
        "Koordinasi antar lembaga sudah berjalan dengan baik di Kabupaten Bantul.\n"
    )
    doc = extracted(document_from_record(text.encode(), "uji.txt"), lexicon)
    assert of_type(doc, "obstacle") == {}


def test_discovered_organisation(lexicon) -> None:
    text = (
        "Judul: Uji\n\nABSTRAK\nPenelitian ini mengkaji peran Lembaga Advokasi Perempuan Damar (LAPD) "
        "bersama P2TP2A dalam pendampingan korban di Kota Bandar Lampung.\n"
    )
    doc = extracted(document_from_record(text.encode(), "uji.txt"), lexicon)
    found = [m for m in doc.mentions if m.type == "stakeholder" and m.discovered]
    assert [(m.label, m.name) for m in found] == [("LAPD", "Lembaga Advokasi Perempuan Damar")]
    assert "p2tp2a" in of_type(doc, "stakeholder")


def test_a_process_that_does_not_run_well_and_an_analysis_framework(lexicon) -> None:
    """Phrasings first met in the held-out records (bench/gold/extraction_heldout.json)."""
    text = (
        "Judul: Uji\n\nABSTRAK\nKerangka analisis yang digunakan adalah model implementasi "
        "kebijakan Van Meter dan Van Horn (1975). Hasil penelitian menunjukkan bahwa koordinasi "
        "antar instansi belum berjalan optimal di Kota Pontianak. Komunikasi antar lembaga sudah "
        "berjalan dengan baik.\n"
    )
    doc = extracted(document_from_record(text.encode(), "uji.txt"), lexicon)
    assert set(of_type(doc, "obstacle")) == {"coordination"}
    theory = of_type(doc, "theory")["policy_implementation_van_meter_van_horn"]
    assert theory.role == "framework"


def abstract(lexicon, body: str, title: str = "Uji") -> Document:
    text = f"Judul: {title}\n\nABSTRAK\n{body}\n"
    return extracted(document_from_record(text.encode(), "uji.txt"), lexicon)


def roles(doc: Document) -> dict[str, str | None]:
    return {m.code: m.role for m in doc.mentions if m.type == "place" and m.code}


def test_every_item_of_an_enumeration_an_obstacle_word_opens(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sleman. Kendalanya yaitu anggaran yang dipotong; "
        "petugas yang sering berganti; dan regulasi daerah yang tidak ada.",
    )
    assert set(of_type(doc, "obstacle")) == {"funding", "human_resources", "regulation"}


def test_an_enumeration_carried_over_numbered_sentences(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sleman. Program ini terkendala dua hal. Pertama, "
        "anggaran kegiatan dipotong tahun lalu. Kedua, psikolog di kabupaten itu tidak ada.",
    )
    assert set(of_type(doc, "obstacle")) == {"funding", "human_resources"}


def test_a_word_long_after_an_obstacle_word_is_not_an_obstacle(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sleman. Hambatan terbesar adalah anggaran, "
        "yang membuat kegiatan dengan sekolah dan pertemuan warga ditunda.",
    )
    assert set(of_type(doc, "obstacle")) == {"funding"}


def test_misspelt_category_words_and_other_deficit_words(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sleman. Kordinasi antara dinas dan polisi masih "
        "lemah. Anggran yang tersedia tidak mencukupi. Ketiadaan rumah aman menyulitkan "
        "petugas. Sumberdaya manusia di unit itu belum memadai.",
    )
    assert set(of_type(doc, "obstacle")) == {
        "coordination",
        "funding",
        "facilities",
        "human_resources",
    }


def test_tolerant_matching_keeps_suffixed_words_apart(lexicon) -> None:
    matcher = lexicon.matcher("obstacle")
    hits = {h.label: h.iri.rsplit("/", 1)[-1] for h in matcher.finditer(
        "kordinasi, anggran, pendampingan, pertemanan", tolerant=True
    )}  # fmt: skip
    assert hits == {"kordinasi": "coordination", "anggran": "funding"}


def test_obstacles_told_as_effects(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kota Kediri. Banyak keluarga korban memilih diam karena "
        "takut dikucilkan. Sebagian warga tidak tahu bahwa ada layanan pengaduan di kelurahan. "
        "Komitmen para kepala dinas belum terbangun, dan kedua lembaga tidak saling percaya.",
    )
    assert set(of_type(doc, "obstacle")) == {
        "reporting_stigma",
        "public_awareness",
        "commitment",
        "trust",
    }


def test_english_effects_and_a_count_given_as_too_few(lexicon) -> None:
    doc = abstract(
        lexicon,
        "The study was conducted in Bone Regency. Many mothers did not report abuse out of "
        "shame. The unit has only three counsellors for the whole regency.",
    )
    assert set(of_type(doc, "obstacle")) == {"reporting_stigma", "human_resources"}


def test_the_city_of_medan_is_not_terrain(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian ini dilakukan di Kota Medan. Kendala yang dihadapi adalah anggaran. "
        "Di Medan, kasus kekerasan terhadap anak terus meningkat.",
    )
    assert set(of_type(doc, "obstacle")) == {"funding"}
    hard = abstract(lexicon, "Hambatannya adalah medan yang berat di pedalaman Kabupaten Sintang.")
    assert set(of_type(hard, "obstacle")) == {"geography"}


def test_english_word_order_names_the_studied_city(lexicon) -> None:
    doc = abstract(
        lexicon,
        "This paper examines how the City of Kupang protects children. Interviews were held "
        "with twelve officials.",
    )
    assert roles(doc).get("53.71") == "studied"
    plural = abstract(lexicon, "Fieldwork took place in Kubu Raya and Sintang regencies in 2022.")
    assert {"61.12", "61.05"} <= {c for c, r in roles(plural).items() if r == "studied"}


def test_a_city_named_only_in_the_title_is_studied(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian ini mengkaji kemitraan antara dinas sosial dan polisi. Penulis berasal "
        "dari Kota Padang.",
        title="Kemitraan Perlindungan Anak di Kota Bukittinggi",
    )
    assert roles(doc).get("13.75") == "studied"


def test_a_province_beside_its_city_is_mentioned(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian ini dilakukan di Kota Ambon, Provinsi Maluku. Kendalanya adalah anggaran.",
    )
    assert roles(doc) == {"81.71": "studied", "81": "mentioned"}


def test_a_study_of_the_province_keeps_it_studied(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Layanan perlindungan anak di Provinsi Maluku Utara dijalankan oleh UPTD PPA provinsi.",
        title="Layanan Perlindungan Anak di Provinsi Maluku Utara",
    )
    assert roles(doc) == {"82": "studied"}


def test_a_framework_the_scheme_lacks_is_discovered(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian di Kota Kediri ini menggunakan teori jaringan aktor Latour (2005) sebagai "
        "landasan; konsep kemitraan menurut Notoatmodjo juga dibahas.",
    )
    found = [m for m in doc.mentions if m.type == "theory" and m.discovered]
    assert [(m.label, m.authors, m.year, m.role) for m in found] == [
        ("teori jaringan aktor", ("Latour",), 2005, "framework")
    ]
    assert found[0].concept.startswith("https://w3id.org/jejaring/concept/theory/discovered/")
    assert of_type(doc, "theory")["partnership_models_notoatmodjo"].role == "cited"


def test_authors_in_the_order_the_study_gives_and_the_year_only_as_stated(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian di Kota Kediri ini menggunakan model collaborative governance. Data "
        "dianalisis menurut Miles dan Huberman dalam Sugiyono (2017). Teori yang digunakan "
        "adalah model Ansell dan Gash.",
    )
    method = of_type(doc, "method")["qualitative_analysis_miles_huberman"]
    assert method.authors == ("Miles", "Huberman")
    assert method.year is None  # 2017 is Sugiyono's, the secondary source
    theory = of_type(doc, "theory")["collaborative_governance"]
    assert theory.authors == ("Ansell", "Gash") and theory.year is None


def test_regional_agency_names_midwives_and_a_spaced_acronym(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian di Kota Kediri ini melibatkan DP2KBP3A, UPT PPA, bidan desa, KPPAD dan "
        "Satuan Tugas Perlindungan Perempuan dan Anak (Satgas PPA) di setiap kelurahan.",
    )
    stakeholders = of_type(doc, "stakeholder")
    # The task force is a concept of the scheme now, no longer a discovery.
    assert {"dp3a", "uptd_ppa", "puskesmas", "kpad", "task_force"} <= set(stakeholders)
    assert stakeholders["task_force"].label == "Satgas PPA"
    assert not [m for m in doc.mentions if m.type == "stakeholder" and m.discovered]


def test_whose_obstacle_it_is_is_not_an_item(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sleman. Kendala yang dihadapi petugas adalah "
        "anggaran dan sarana. The barriers the counsellors face are distance and stigma.",
    )
    assert set(of_type(doc, "obstacle")) == {
        "funding",
        "facilities",
        "geography",
        "reporting_stigma",
    }


def test_a_verb_cue_governs_only_the_words_after_it(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sleman. Jarak tempuh yang jauh menyulitkan korban "
        "datang ke kantor. Kader sukar menjangkau dusun yang jauh.",
    )
    assert set(of_type(doc, "obstacle")) == {"geography"}


def test_violence_seen_as_normal_is_low_awareness(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sleman. Di banyak keluarga, mencubit anak masih "
        "dianggap wajar. Kerja sama lintas sektoral berjalan dengan baik.",
    )
    assert set(of_type(doc, "obstacle")) == {"public_awareness"}


def test_effects_in_wording_no_label_lists(lexicon) -> None:
    """The scheme's patterns (jj:matchPattern) find effects whatever words sit between."""
    doc = abstract(
        lexicon,
        "The study was conducted in Sikka Regency. Families often withdraw their reports "
        "because they fear gossip in the village. Villages can only be reached by boat. Each "
        "office guards its own programme. Teachers did not know that the unit offers "
        "counselling. The partners do not yet fully trust each other.",
    )
    assert set(of_type(doc, "obstacle")) == {
        "reporting_stigma",
        "geography",
        "sectoral_ego",
        "public_awareness",
        "trust",
    }


def test_a_negation_after_the_term_and_a_negated_verb_before_it(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sinjai. Petunjuk teknis rujukan belum disahkan. "
        "The office does not receive funding for outreach. Informasi tentang perda hampir "
        "tidak sampai ke sekolah. Koordinasi dilakukan agar korban tidak trauma.",
    )
    assert set(of_type(doc, "obstacle")) == {"regulation", "funding"}


def test_a_capitalised_term_inside_a_name_is_a_name(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kecamatan Medan Sulit Jaya dan Kota Medan. Kendala yang "
        "dihadapi adalah data kasus yang belum terpadu.",
    )
    assert set(of_type(doc, "obstacle")) == {"data"}


def test_places_follow_what_the_study_is_about(lexicon) -> None:
    record = (
        "Title: Implementing Child Protection Policy in Tarakan City, North Kalimantan\n\n"
        "Abstract\nTarakan City is a transit point for children trafficked through Nunukan "
        "Regency. This study analyses child protection in the city. The counsellors said many "
        "victims came from Kabupaten Mimika, which was part of Provinsi Papua.\n"
    )
    doc = extracted(document_from_record(record.encode(), "tarakan.txt"), lexicon)
    roles = {m.code: m.role for m in doc.mentions if m.type == "place"}
    assert roles["65.71"] == "studied"
    # The province beside its city in the title, a transit route and a background province.
    assert roles["65"] == "mentioned" and roles["65.03"] == "mentioned"
    assert roles["91"] == "mentioned" and roles["94.04"] == "mentioned"
    evidence = next(m for m in doc.mentions if m.code == "65.03").evidence[0]
    assert "Nunukan" in evidence.quote


def test_weak_actors_only_where_they_act_and_regional_agency_names(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sinjai untuk kesejahteraan masyarakat dan dunia "
        "usaha. Informan berasal dari DPMP3AKB, Satgas PPA desa dan orang tua korban. "
        "Banyak keluarga memilih diam.",
    )
    stakeholders = set(of_type(doc, "stakeholder"))
    assert {"dp3a", "task_force", "parents"} <= stakeholders
    # Beneficiaries and background are not actors.
    assert not {"community", "business"} & stakeholders


def test_open_world_theories_named_as_students_cite_them(lexicon) -> None:
    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kota Solo. Model collaborative governance Ansell dan Gash "
        "digunakan sebagai kerangka analisis, sedangkan gagasan kapasitas kolaborasi dari "
        "Bardach disebut sebagai latar. Teori modal sosial Putnam dikutip untuk menjelaskan "
        "jaringan warga. Wanna's (2008) continuum of collaboration is discussed as background.",
    )
    found = {m.label: m for m in doc.mentions if m.type == "theory" and m.discovered}
    assert found["gagasan kapasitas kolaborasi"].authors == ("Bardach",)
    assert found["gagasan kapasitas kolaborasi"].role == "cited"
    assert found["Teori modal sosial"].authors == ("Putnam",)
    assert found["Teori modal sosial"].year is None
    continuum = found["continuum of collaboration"]
    assert continuum.authors == ("Wanna",) and continuum.year == 2008
    assert of_type(doc, "theory")["collaborative_governance"].role == "framework"


def test_each_mention_carries_its_method_and_confidence_to_the_json(
    lexicon, tmp_path: Path
) -> None:
    from kg.documents import document_json
    from kg.model import document_quads, place_quads
    from kg.store import open_store

    doc = abstract(
        lexicon,
        "Penelitian dilakukan di Kabupaten Sinjai bersama Dinas Sosial dan Lembaga Advokasi "
        "Anak Sulawesi (LAAS). Kendalanya yaitu anggran yang kecil. Banyak keluarga mencabut "
        "laporannya karena takut digunjing tetangga.",
    )
    methods = {(m.type, local(m)): (m.method, m.confidence) for m in doc.mentions}
    assert methods[("obstacle", "funding")][0] == "fuzzy"
    assert methods[("obstacle", "reporting_stigma")][0] == "pattern"
    assert methods[("stakeholder", "dinas_sosial")][0] == "rule"
    assert methods[("stakeholder", "laas")][0] == "discovered"
    assert all(0 < confidence <= 1 for _, confidence in methods.values())
    with open_store("embedded", tmp_path / "data") as store:
        store.put_document(doc.id, document_quads(doc), place_quads(doc), [])
        shown = document_json(store, doc.id)
    obstacle = next(o for o in shown["obstacles"] if o["category"] == "reporting_stigma")
    assert obstacle["method"] == "pattern" and 0.5 < obstacle["confidence"] <= 1
    assert {s["method"] for s in shown["stakeholders"]} == {"rule", "discovered"}
    assert shown["places"][0]["method"] == "rule"


def test_general_deficit_wording(lexicon) -> None:
    cases = {
        "Anggaran yang dialokasikan pemerintah daerah belum sesuai dengan kebutuhan.": "funding",
        "Kurang koordinasinya antar instansi membuat kasus terlambat ditangani.": "coordination",
        "Komunikasi antar anggota forum tersendat.": "communication",
        "Coordination among agencies remains poor.": "coordination",
        "Many cases go unreported because of stigma.": "reporting_stigma",
        "Masyarakat masih awam tentang layanan pengaduan.": "public_awareness",
        "Koordinasi sudah berjalan dengan baik dan tidak ada kendala berarti.": None,
    }
    for sentence, category in cases.items():
        doc = abstract(lexicon, "Penelitian dilakukan di Kabupaten Sinjai. " + sentence)
        assert set(of_type(doc, "obstacle")) == ({category} if category else set()), sentence


def test_what_only_reads_as_a_deficit(lexicon) -> None:
    for sentence in (
        "UPTD PPA tidak memungut biaya dari korban.",
        "Petugas tidak pernah menolak laporan warga.",
        "Families were not afraid to report after the campaign.",
        "Komitmen para pihak sudah kuat, tidak ada yang mundur.",
    ):
        doc = abstract(lexicon, "Penelitian dilakukan di Kabupaten Sinjai. " + sentence)
        assert not of_type(doc, "obstacle"), sentence
