"""Word lists for bench/synth.py: names, universities, and the phrasings students use.

Concept words (stakeholder names, obstacle terms, theory names) are not listed here: they
come from the SKOS vocabulary under kg/vocab. This file holds the glue around them.
"""

from __future__ import annotations


def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _names(
    "Siti Rina Dewi Ayu Putri Nur Sri Wahyu Agus Budi Eko Dwi Tri Rizki Fajar Andi Muhammad "
    "Ahmad Yusuf Rahmat Hendra Indah Lestari Maya Nurul Fitri Ratna Yohana Markus Yohanes "
    "Ni Made I Gede Ketut Komang Nyoman Wayan Kadek Fransiska Maria Theresia Stefanus Paulus "
    "Aulia Annisa Dian Rudi Joko Bambang Teguh Slamet Sutrisno Heru Arif Ilham Fadli Reza "
    "Syafrizal Zulkifli Hasanuddin Irwan Taufik Nurhaliza Marlina Sarah Ruth Debora Yosua "
    "Gita Intan Kartika Melati Citra Vina Yuni Yulia Novita Rahma Aisyah Khadijah Hafiz Farhan "
    "Rangga Bayu Galih Dimas Yoga Satria Arya Putu Desak Luh Gusti Daeng Abdul La Wa Andi"
)
MIDDLE_NAMES = _names(
    "Ayu Nur Dwi Putri Tri Eka Dewi Sari Indah Kurnia Rahma Aditya Pratama Wijaya Kusuma "
    "Permata Cahya Ramadhan Saputra Maharani Anggraini Hidayat"
)
LAST_NAMES = _names(
    "Santoso Rahmawati Kusumawati Priyanto Hidayat Siregar Nasution Harahap Lubis Sinaga "
    "Simanjuntak Pangaribuan Tambunan Sitompul Lestari Wulandari Saputra Setiawan Gunawan "
    "Susanto Wibowo Nugroho Purnomo Kurniawan Hakim Syahputra Fanggidae Manafe Ndun Bessie "
    "Tuhumury Latuconsina Pattiasina Wattimena Mandagi Sumampouw Lumban Tobing Daulay Pohan "
    "Rangkuti Matondang Ginting Tarigan Sembiring Barus Manurung Sitorus Hutapea Sihombing "
    "Ramadhani Maharani Anggraini Firmansyah Hermawan Suryadi Sulistyo Handayani Astuti "
    "Yuliani Marpaung Rumbiak Wenda Kogoya Mote Yikwa Waromi Rumaropen Bauw Makatita Bugis "
    "Mappiasse Pallawa Rasyid Latief Amiruddin Baharuddin Syamsuddin Tanjung Effendi Piliang "
    "Koto Chaniago Jambak Caniago Rahman Akbar Fauzi Maulana Pratiwi Oktaviani Puspitasari "
    "Suryani Widodo Hartono Sudarsono Prasetyo Wijayanti Hasibuan Batubara Zebua Laia Gulo"
)
# Local offices written with their regency ("DP3A Kabupaten Garut").
LOCAL_BODIES = {"dp3a", "dinas_sosial", "uptd_ppa", "p2tp2a", "dinas_kesehatan", "lpa", "kpad",
                "dinas_pendidikan", "gugus_tugas_kla", "puspaga", "ppt", "dinas_pmd"}  # fmt: skip
# Labels with these words are not written in English text.
INDONESIAN_WORDS = ("teori", "kemitraan", "kebijakan", "tata", "kolaborasi", "kerangka",
                    "evaluasi", "proses", "rezim")  # fmt: skip
SMALL_WORDS = {"dan", "di", "dalam", "pada", "oleh", "dengan", "terhadap", "of", "in", "and",
               "the", "for", "to", "a", "an", "between", "from", "yang", "melalui", "untuk"}  # fmt: skip
METHOD_WEIGHTS = {"qualitative_analysis_miles_huberman": 5, "qualitative_research_moleong": 4,
                  "research_methods_sugiyono": 3, "research_design_creswell": 1}  # fmt: skip
DEGREES = ("", "", "", "", ", S.Sos.", ", S.AP", ", M.Si", ", M.AP", ", S.H.", ", M.Kesos")

# (university, the regency/city it stands in as the official name in lokal)
UNIVERSITIES = (
    ("Universitas Gadjah Mada", "Kabupaten Sleman"), ("Universitas Indonesia", "Kota Depok"),
    ("Universitas Padjadjaran", "Kabupaten Sumedang"), ("Universitas Airlangga", "Kota Surabaya"),
    ("Universitas Diponegoro", "Kota Semarang"), ("Universitas Brawijaya", "Kota Malang"),
    ("Universitas Sumatera Utara", "Kota Medan"), ("Universitas Andalas", "Kota Padang"),
    ("Universitas Riau", "Kota Pekanbaru"), ("Universitas Hasanuddin", "Kota Makassar"),
    ("Universitas Sam Ratulangi", "Kota Manado"), ("Universitas Udayana", "Kabupaten Badung"),
    ("Universitas Nusa Cendana", "Kota Kupang"), ("Universitas Pattimura", "Kota Ambon"),
    ("Universitas Cenderawasih", "Kota Jayapura"), ("Universitas Mulawarman", "Kota Samarinda"),
    ("Universitas Lambung Mangkurat", "Kota Banjarmasin"), ("Universitas Tanjungpura",
     "Kota Pontianak"), ("Universitas Palangka Raya", "Kota Palangkaraya"),
    ("Universitas Syiah Kuala", "Kota Banda Aceh"), ("Universitas Lampung",
     "Kota Bandar Lampung"), ("Universitas Jember", "Kabupaten Jember"),
    ("Universitas Sebelas Maret", "Kota Surakarta"), ("Universitas Negeri Yogyakarta",
     "Kabupaten Sleman"), ("Universitas Muhammadiyah Malang", "Kota Malang"),
    ("Universitas Muhammadiyah Yogyakarta", "Kabupaten Bantul"), ("Universitas Jenderal "
     "Soedirman", "Kabupaten Banyumas"), ("Universitas Mataram", "Kota Mataram"),
    ("Universitas Halu Oleo", "Kota Kendari"), ("Universitas Tadulako", "Kota Palu"),
    ("Universitas Jambi", "Kabupaten Muaro Jambi"), ("Universitas Bengkulu", "Kota Bengkulu"),
    ("Universitas Sriwijaya", "Kabupaten Ogan Ilir"), ("Universitas Maritim Raja Ali Haji",
     "Kota Tanjung Pinang"), ("UIN Sunan Kalijaga", "Kota Yogyakarta"),
    ("UIN Syarif Hidayatullah", "Kota Tangerang Selatan"), ("UIN Alauddin", "Kabupaten Gowa"),
    ("Universitas Khairun", "Kota Ternate"), ("Universitas Negeri Gorontalo", "Kota Gorontalo"),
    ("Universitas Musamus", "Kabupaten Merauke"), ("Universitas Trunojoyo", "Kabupaten Bangkalan"),
)  # fmt: skip
STUDY_PROGRAMS_ID = (
    "Program Studi Ilmu Administrasi Publik", "Program Studi Ilmu Pemerintahan",
    "Program Studi Kesejahteraan Sosial", "Program Studi Ilmu Hukum", "Program Studi Sosiologi",
    "Magister Administrasi Publik", "Magister Ilmu Pemerintahan", "Fakultas Ilmu Sosial dan "
    "Ilmu Politik", "Program Studi Psikologi", "Program Studi Pekerjaan Sosial",
)  # fmt: skip
STUDY_PROGRAMS_EN = (
    "Department of Public Administration",
    "Department of Government Studies",
    "Department of Social Welfare",
    "Faculty of Law",
    "Department of Sociology",
    "Master Program in Public Administration",
    "Faculty of Social and Political Sciences",
)
JOURNALS = (
    "Jurnal Kebijakan Sosial",
    "Jurnal Administrasi Publik",
    "Jurnal Ilmu Pemerintahan",
    "Jurnal Kesejahteraan Sosial",
    "Jurnal Perempuan dan Anak",
    "Jurnal Governance",
    "Jurnal Manajemen Pelayanan Publik",
    "Journal of Governance and Public Policy",
    "Jurnal Wacana Politik",
    "Jurnal Ilmu Sosial dan Humaniora",
    "Jurnal Hukum dan Pembangunan",
)

# Synonym sets. Words that are obstacle labels in the vocabulary ("koordinasi", "sinergi",
# "komunikasi") stay out of the neutral phrasings so that only obstacle sentences carry them.
COLLAB_ID = (
    "kolaborasi",
    "kemitraan",
    "kerja sama",
    "kerjasama",
    "jejaring kemitraan",
    "kolaborasi antarlembaga",
    "kemitraan lintas sektor",
    "kerja sama antarinstansi",
)
COLLAB_EN = (
    "collaboration",
    "partnership",
    "cooperation",
    "inter-agency collaboration",
    "cross-sector partnership",
    "joint work",
)
TOPIC_ID = (
    "penanganan kekerasan terhadap anak",
    "penanganan kasus kekerasan anak",
    "perlindungan anak korban kekerasan",
    "pencegahan kekerasan terhadap anak",
    "perlindungan anak",
    "penanganan kekerasan seksual terhadap anak",
    "pelayanan anak korban kekerasan",
    "pencegahan perkawinan anak",
    "penanganan anak berhadapan dengan hukum",
    "perlindungan khusus anak",
    "pemenuhan hak anak",
    "pencegahan perundungan di sekolah",
    "penanganan kekerasan dalam rumah tangga terhadap anak",
    "pengembangan kabupaten/kota layak anak",
    "pendampingan anak korban kekerasan seksual",
)
TOPIC_EN = (
    "handling violence against children",
    "the handling of child abuse cases",
    "protecting child victims of violence",
    "preventing violence against children",
    "child protection",
    "handling sexual violence against children",
    "services for child victims of violence",
    "preventing child marriage",
    "handling children in conflict with the law",
    "special protection for children",
    "fulfilling children's rights",
    "preventing bullying in schools",
    "developing child-friendly regencies and cities",
)
ROLE_ID = (
    "Peran",
    "Efektivitas",
    "Evaluasi",
    "Implementasi",
    "Strategi",
    "Analisis",
    "Optimalisasi",
    "Model",
    "Dinamika",
    "Kapasitas",
)
ROLE_EN = (
    "The Role of",
    "The Effectiveness of",
    "Evaluating",
    "Implementing",
    "Strategies of",
    "Analysing",
    "Dynamics of",
    "Assessing",
)

TITLE_ID = (
    "{role} {collab} {s1} dan {s2} dalam {topic} di {place}",
    "{Collab} {s1} dengan {s2} dalam {topic} di {place}",
    "{role} {s1} dalam {topic} (Studi Kasus di {place})",
    "{Collab} Antar Pemangku Kepentingan dalam {topic} di {place}",
    "{role} {collab} dalam {topic}: Studi pada {s1} {place}",
    "{Topic} melalui {collab} {s1}, {s2} dan {s3} di {place}",
    "{role} Kebijakan {topic} oleh {s1} di {place}",
    "Hambatan {collab} dalam {topic} di {place}",
    "{role} {collab} Pentahelix dalam {topic} di {place}",
    "Kapasitas {s1} dalam {topic} di {place} Tahun {year0}",
    "Tata Kelola {collab} {topic} di {place}",
)
TITLE_EN = (
    "{role} {collab} between {s1} and {s2} in {topic} in {place}",
    "{Collab} for {topic}: A Case Study of {s1} in {place}",
    "{role} {s1} in {topic} in {place}",
    "Barriers to {collab} in {topic} in {place}",
    "Building {collab} to Handle Violence against Children in {place}",
    "Stakeholder {collab} in {topic}: Evidence from {place}",
    "{role} Multi-Actor {collab} in {topic} in {place}",
)

HEADINGS_ID = ("PENDAHULUAN", "METODE PENELITIAN", "HASIL DAN PEMBAHASAN", "KESIMPULAN")
HEADINGS_EN = ("INTRODUCTION", "METHOD", "FINDINGS AND DISCUSSION", "CONCLUSION")
BACKGROUND_ID = (
    "Kasus kekerasan terhadap anak di {place} meningkat dalam {n} tahun terakhir.",
    "Data {s1} mencatat {k} kasus kekerasan terhadap anak di {place} pada tahun {year0}.",
    "{topicC} membutuhkan keterlibatan banyak pihak karena tidak ada satu lembaga pun yang "
    "mampu menanganinya sendiri.",
    "Undang-Undang Nomor 35 Tahun 2014 menegaskan hak anak korban kekerasan atas perlindungan "
    "khusus.",
    "{place} merupakan salah satu daerah dengan angka kekerasan terhadap anak yang tinggi di "
    "{province}.",
    "Sejak {year0}, {s1} di {place} menerima rata-rata {k} pengaduan setiap tahun.",
)
BACKGROUND_EN = (
    "Reported cases of violence against children in {place} have risen over the last {n} years.",
    "Records of the {s1} show {k} cases of violence against children in {place} in {year0}.",
    "{topicC} needs many actors, since no single agency can deal with it alone.",
    "Law No. 35 of 2014 gives child victims of violence a right to special protection.",
    "{place} is one of the areas with the highest rates of violence against children in "
    "{province}.",
)
AIM_ID = (
    "Penelitian ini bertujuan untuk {verb} {collab} {actors} dalam {topic} di {place}.",
    "Tujuan penelitian ini adalah {verb} {collab} antara {actors} dalam {topic} di {place}.",
    "Studi ini {verb2} bagaimana {actors} bekerja bersama dalam {topic} di {place}.",
    "Artikel ini {verb2} {collab} yang dibangun oleh {actors} untuk {topic} di {place}.",
)
AIM_VERBS_ID = (
    "menganalisis",
    "mendeskripsikan",
    "mengetahui",
    "menjelaskan",
    "mengkaji",
    "mengevaluasi",
)
AIM_VERBS2_ID = ("mengkaji", "menganalisis", "menelaah", "menggambarkan", "membahas")
AIM_EN = (
    "This study aims to {verb} the {collab} of {actors} in {topic} in {place}.",
    "This article {verb2} how {actors} work together in {topic} in {place}.",
    "The research {verb2} the {collab} built by {actors} for {topic} in {place}.",
)
AIM_VERBS_EN = ("analyse", "describe", "explain", "examine", "evaluate", "assess")
AIM_VERBS2_EN = ("examines", "analyses", "describes", "explores", "investigates")

THEORY_ID = (
    "Penelitian ini menggunakan teori {label} dari {authors} ({year}).",
    "Teori {label} menurut {authors} ({year}) digunakan sebagai landasan analisis.",
    "Data dianalisis dengan model {label} {authors} ({year}).",
    "Kerangka analisis yang digunakan adalah {label} ({authors}, {year}).",
    "Berdasarkan indikator {label} dari {authors} ({year}), {collab} dinilai dari beberapa "
    "dimensi.",
)
THEORY_EN = (
    "This study uses the {label} theory of {authors} ({year}).",
    "Using the {label} model of {authors} ({year}), the study looks at how partners work together.",
    "The analysis is framed by {label} ({authors}, {year}).",
)
CITED_ID = (
    "Temuan ini sejalan dengan {label} yang dikemukakan {authors} ({year}).",
    "Hal ini juga dibahas dalam {label} ({authors}, {year}).",
)
CITED_EN = (
    "This finding agrees with {label} as described by {authors} ({year}).",
    "Similar points are made in {label} ({authors}, {year}).",
)
METHOD_ID = (
    "Penelitian ini menggunakan metode kualitatif deskriptif dengan teknik wawancara "
    "mendalam, observasi dan dokumentasi.",
    "Metode yang digunakan adalah kualitatif dengan pendekatan studi kasus; informan dipilih "
    "secara purposive.",
    "Pendekatan penelitian ini kualitatif, dengan {k} informan dari lembaga yang terlibat.",
    "Data dikumpulkan melalui wawancara, observasi dan studi dokumen.",
)
METHOD_EN = (
    "The study uses a descriptive qualitative method with in-depth interviews, observation "
    "and document review.",
    "A qualitative case study design was used, with {k} purposively chosen informants.",
    "Data were collected through interviews, observation and documents.",
)
METHOD_CITE_ID = (
    "Analisis data mengikuti {label} ({authors}, {year}).",
    "Keabsahan data diuji dengan triangulasi sebagaimana dikemukakan {authors} ({year}).",
    "Teknik analisis data merujuk pada {authors} ({year}).",
)
METHOD_CITE_EN = (
    "Data were analysed following {authors} ({year}).",
    "The analysis follows {authors} ({year}).",
)
METHOD_LABEL_ID = {
    "qualitative_analysis_miles_huberman": "model interaktif Miles dan Huberman",
    "qualitative_research_moleong": "metodologi penelitian kualitatif Moleong",
    "research_methods_sugiyono": "metode penelitian Sugiyono",
    "research_design_creswell": "desain penelitian Creswell",
}
FINDING_ID = (
    "Hasil penelitian menunjukkan bahwa {collab} antara {actors} sudah berjalan, namun belum "
    "optimal.",
    "Hasil penelitian menunjukkan bahwa {s1} berperan dalam pendampingan, rujukan dan "
    "pemulihan korban.",
    "Temuan penelitian memperlihatkan bahwa {collab} masih bersifat insidental dan bergantung "
    "pada kasus.",
    "Hasil penelitian menunjukkan bahwa pembagian peran antara {actors} sudah jelas.",
    "Penelitian ini menemukan bahwa {s1} menjadi penggerak utama {collab} di {place}.",
)
FINDING_EN = (
    "The findings show that {collab} among {actors} works, but not yet well.",
    "The results show that the {s1} plays a role in assistance, referral and recovery of victims.",
    "The study finds that {collab} is still ad hoc and driven by individual cases.",
    "The findings show that the {s1} is the main driver of {collab} in {place}.",
)
CONCLUSION_ID = (
    "Disarankan agar {s1} memperkuat {collab} melalui nota kesepahaman.",
    "Penelitian ini merekomendasikan penyusunan SOP bersama bagi semua lembaga layanan.",
    "Ke depan, {s1} perlu dilibatkan sejak tahap perencanaan.",
    "Secara umum {collab} yang terjalin dapat menjadi model bagi daerah lain.",
)
CONCLUSION_EN = (
    "We recommend that the {s1} strengthen {collab} through a memorandum of understanding.",
    "The study recommends joint standard operating procedures for all service providers.",
    "The {s1} should be involved from the planning stage.",
)
KEYWORDS_ID = (
    "perlindungan anak",
    "kekerasan terhadap anak",
    "kolaborasi",
    "kemitraan",
    "tata kelola kolaboratif",
    "kebijakan publik",
    "kabupaten layak anak",
    "kekerasan seksual",
    "pelayanan terpadu",
    "anak korban",
)
KEYWORDS_EN = (
    "child protection",
    "violence against children",
    "collaboration",
    "partnership",
    "collaborative governance",
    "public policy",
    "child-friendly city",
    "sexual violence",
    "integrated services",
)

# Obstacle enumerations: {items} is "A, B dan C"; {one} a single obstacle phrase.
OBSTACLE_LIST_ID = (
    "Namun, faktor penghambat yang ditemukan adalah {items}.",
    "Kendala yang dihadapi antara lain {items}.",
    "Hambatan dalam {collab} tersebut meliputi {items}.",
    "{Collab} ini belum optimal karena {items}.",
    "Permasalahan yang muncul adalah {items}.",
    "Adapun kendalanya yaitu {items}.",
    "Penelitian ini juga menemukan hambatan berupa {items}.",
)
OBSTACLE_ONE_ID = (
    "Selain itu, {one} juga menjadi hambatan.",
    "Kendala lain adalah {one}.",
    "{One} turut menghambat pelaksanaan {collab}.",
)
OBSTACLE_LIST_EN = (
    "The inhibiting factors were {items}.",
    "Obstacles include {items}.",
    "The {collab} is hampered by {items}.",
    "The main challenges are {items}.",
    "However, the study found constraints such as {items}.",
)
OBSTACLE_ONE_EN = (
    "Another obstacle is {one}.",
    "In addition, {one} hinders the {collab}.",
)
# Per obstacle category: phrase templates; {w} is a word of the concept from the vocabulary,
# {d} a deficit word. Categories without an entry use the generic ones.
DEFICIT_ID = (
    "keterbatasan",
    "kurangnya",
    "minimnya",
    "terbatasnya",
    "rendahnya",
    "lemahnya",
    "belum memadainya",
)
DEFICIT_EN = ("limited", "a lack of", "insufficient", "inadequate", "a shortage of", "weak", "poor")
DEFICIT_BY = {
    "public_awareness": ("rendahnya", "kurangnya", "minimnya", "masih rendahnya"),
    "communication": ("kurangnya", "minimnya", "lemahnya", "tidak efektifnya"),
    "human_resources": ("keterbatasan", "kurangnya", "minimnya", "terbatasnya", "sedikitnya"),
    "funding": ("keterbatasan", "minimnya", "terbatasnya", "kurangnya", "tidak memadainya"),
}
GENERIC_ID = ("{d} {w}", "{d} {w}", "{w} yang masih terbatas", "{w} yang belum memadai")
GENERIC_EN = ("{d} {w}", "{d} {w}", "{w} that remain inadequate")
OBSTACLE_PHRASES_ID = {
    "coordination": (
        "lemahnya {w}",
        "{w} yang belum berjalan baik",
        "kurangnya {w}",
        "adanya tumpang tindih tugas",
    ),
    "sectoral_ego": ("adanya {w} di antara lembaga", "masih kuatnya {w}", "{w} antarinstansi"),
    "trust": (
        "kurangnya {w} antarlembaga",
        "rendahnya {w} di antara mitra",
        "belum adanya rasa saling percaya",
    ),
    "commitment": (
        "lemahnya {w} para pihak",
        "kurangnya {w} pimpinan daerah",
        "rendahnya {w} lembaga mitra",
    ),
    "geography": (
        "jauhnya jarak antarwilayah",
        "sulitnya akses ke desa-desa terpencil",
        "kondisi geografis yang sulit dijangkau",
        "letak {w} yang tersebar",
    ),
    "reporting_stigma": (
        "korban dan keluarga enggan melapor karena malu",
        "anggapan bahwa kekerasan dalam keluarga adalah aib",
        "budaya malu sehingga kasus tidak dilaporkan",
        "keluarga korban takut melapor",
    ),
    "regulation": (
        "belum adanya {w} yang jelas",
        "belum tersedianya {w}",
        "{w} yang belum jelas",
        "tidak adanya {w}",
    ),
    "data": ("lemahnya {w}", "belum terintegrasinya {w}", "{w} yang tidak akurat"),
}
OBSTACLE_PHRASES_EN = {
    "sectoral_ego": ("{w} among agencies", "strong {w}"),
    "trust": ("a lack of {w} between partners", "low {w} among the agencies"),
    "commitment": ("weak {w} of the partners", "a lack of {w} from local leaders"),
    "geography": (
        "long distances between islands",
        "difficult access to remote villages",
        "difficult geographical conditions",
    ),
    "reporting_stigma": (
        "families' reluctance to report because of shame and stigma",
        "victims' fear of reporting",
    ),
    "regulation": ("the absence of clear {w}", "unclear {w}"),
}
# Vocabulary words per category that read well in those templates (the rest of the labels
# are for recognition, not writing).
OBSTACLE_WORDS_ID = {
    "funding": (
        "anggaran",
        "dana",
        "dana operasional",
        "alokasi anggaran",
        "dukungan anggaran",
        "sumber dana",
        "pembiayaan",
    ),
    "coordination": (
        "koordinasi",
        "koordinasi antar lembaga",
        "koordinasi antarinstansi",
        "sinergi",
        "pembagian peran",
    ),
    "sectoral_ego": ("ego sektoral", "ego kelembagaan", "egoisme sektoral"),
    "human_resources": (
        "sumber daya manusia",
        "SDM",
        "tenaga pendamping",
        "petugas",
        "konselor",
        "tenaga profesional",
        "pekerja sosial",
        "kualitas SDM",
    ),
    "public_awareness": (
        "kesadaran masyarakat",
        "pemahaman masyarakat",
        "kepedulian orang tua",
        "pemahaman orang tua",
        "kesadaran orang tua",
        "sosialisasi",
        "partisipasi masyarakat",
    ),
    "communication": (
        "komunikasi",
        "komunikasi antar lembaga",
        "pertemuan rutin",
        "rapat koordinasi",
        "dialog tatap muka",
    ),
    "trust": ("kepercayaan", "rasa saling percaya"),
    "commitment": ("komitmen", "komitmen"),
    "facilities": (
        "sarana dan prasarana",
        "fasilitas",
        "rumah aman",
        "sarana prasarana",
        "fasilitas pendukung",
    ),
    "geography": ("geografis",),
    "regulation": ("regulasi", "peraturan daerah", "SOP", "payung hukum", "peraturan desa"),
    "reporting_stigma": ("malu",),
    "data": ("data kasus", "pencatatan kasus", "pendataan", "data"),
}
OBSTACLE_WORDS_EN = {
    "funding": ("budget", "funding", "operational funds", "financial support"),
    "coordination": ("coordination", "division of roles", "role clarity"),
    "sectoral_ego": ("sectoral ego", "institutional ego"),
    "human_resources": ("human resources", "trained staff", "counsellors", "social workers"),
    "public_awareness": ("public awareness", "parental awareness", "community understanding"),
    "communication": ("communication", "face-to-face dialogue", "formal meetings", "meetings"),
    "trust": ("trust", "mutual trust"),
    "commitment": ("commitment",),
    "facilities": ("facilities", "safe houses", "transportation", "shelters"),
    "geography": ("geography",),
    "regulation": ("regulations", "standard operating procedures", "legal basis", "SOP"),
    "reporting_stigma": ("stigma",),
    "data": ("case data", "record-keeping", "case records", "data"),
}
# Skewed frequencies of the 13 categories (funding, coordination, staff common; ego, trust rare).
OBSTACLE_WEIGHTS = {
    "funding": 30, "coordination": 24, "human_resources": 24, "public_awareness": 16,
    "facilities": 14, "communication": 10, "regulation": 10, "reporting_stigma": 9,
    "data": 7, "commitment": 6, "geography": 6, "sectoral_ego": 4, "trust": 3,
}  # fmt: skip
STAKEHOLDER_WEIGHTS = {
    "dp3a": 30, "uptd_ppa": 22, "p2tp2a": 18, "unit_ppa": 16, "police": 14, "dinas_sosial": 18,
    "village_government": 12, "school": 8, "parents": 7, "community": 6, "lpa": 8, "patbm": 7,
    "puskesmas": 7, "hospital": 6, "dinas_kesehatan": 6, "dinas_pendidikan": 7, "ngo": 6,
    "kpad": 4, "kpai": 3, "social_worker": 6, "psychologist": 5, "religious_leader": 5,
    "community_leader": 5, "pkk": 5, "forum_anak": 4, "gugus_tugas_kla": 4, "puspaga": 3,
    "regional_government": 6, "subdistrict_government": 3, "provincial_government": 2,
    "bapas": 3, "prosecutor": 3, "court": 2, "legal_aid": 4, "university": 3, "media": 2,
    "business": 2, "pesantren": 3, "kemenag_kua": 2, "kemen_pppa": 3, "kemensos": 2,
    "rt_rw": 3, "posyandu": 2, "dukcapil": 1, "satpol_pp": 1, "bkkbn": 1, "lpsk": 2,
    "komnas_perempuan": 1, "komnas_ham": 1, "international_org": 2, "bnn": 1, "kominfo": 1,
    "dinas_pmd": 2, "ppt": 3,
}  # fmt: skip
THEORY_WEIGHTS = {
    "collaborative_governance": 30, "policy_implementation_edward": 14, "pentahelix": 10,
    "partnership_models_notoatmodjo": 8, "partnership_models_sulistiyani": 7,
    "role_theory_soekanto": 8, "integrative_collaborative_governance": 6,
    "policy_implementation_van_meter_van_horn": 6, "policy_implementation_grindle": 4,
    "cross_sector_collaboration": 3, "collaboration_process": 3, "policy_evaluation_dunn": 4,
    "policy_implementation_mazmanian_sabatier": 2, "stakeholder_theory": 3,
}  # fmt: skip
OTHER_REFERENCES = (
    "Undang-Undang Republik Indonesia Nomor 35 Tahun 2014 tentang Perubahan atas Undang-Undang "
    "Nomor 23 Tahun 2002 tentang Perlindungan Anak.",
    "Peraturan Menteri PPPA Nomor 4 Tahun 2018 tentang Pedoman Pembentukan UPTD PPA.",
    "Kementerian PPPA. ({y}). Profil Anak Indonesia. Jakarta: KemenPPPA.",
    "{A}, {i}. ({y}). Kebijakan perlindungan anak di daerah. {J}, {v}({n}), {p}-{q}.",
    "{A}, {i}., & {B}, {j}. ({y}). Kemitraan dalam pelayanan korban kekerasan. {J}, {v}({n}).",
)
