"""Demo accounts and the demo scenario: Pilkada 2024 in Kerinci, Sungai Penuh and Kota Jambi.

Pure data and pure functions — no I/O, no clock reads. ``python -m sync_server seed-demo`` creates
the accounts and pushes the scenario's reports as their officers.

The story follows ``assets/jambi_history.csv``, compressed so that its end is live:
1. kampanye — supporters of two pairs clash in Desa Koto Baru, Sungai Penuh (as in 2020), APK torn;
2. masa_tenang — money politics ("serangan fajar") in Kerinci and Sungai Penuh;
3. pemungutan_suara — ballot boxes and papers burned at several TPS in Koto Baru and Pesisir Bukit;
4. rekapitulasi — a blockade of the PPK office, a suspect from Renah Kayu Embun surrenders;
5. background — hoaxes, neutrality, logistics and weather in Kota Jambi and other Kerinci desa,
   and a no-signal village (Masgo) whose report was written hours after the fact.

Times are written as the 2024 wall clock (WIB) and shifted so that voting night falls on
``anchor``; the last report is observed before ``anchor + 20 h``. Report ids depend only on the
scenario key, never on the anchor: seeding twice never duplicates a report (the server keeps the
first copy and answers ``duplicate`` or ``conflict``).

Demo logins (documented in the README; passwords are for demos only):
  admin                 demo-admin-jambi     admin, Provinsi Jambi
  polda.jambi           demo-polda-jambi     supervisor, Polda Jambi (15)
  polres.kerinci        demo-polres-kerinci  supervisor, Polres Kerinci (15.01, 15.72)
  polsek.pesisirbukit   demo-polsek-pb       supervisor, Polsek Pesisir Bukit (15.72.02, 15.72.07)
  polresta.jambi        demo-polresta-jambi  supervisor, Polresta Jambi (15.71)
  officers (NRP)        demo-bhabin          Bhabinkamtibmas, see ``demo_accounts()``
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from kerawanan.tahapan import WIB

VOTING_NIGHT_2024 = datetime(2024, 11, 27, 21, 40, tzinfo=WIB)
SCENARIO_NAMESPACE = uuid.UUID("7d3f9a52-1c4e-5b8a-9e60-2a4b6c8d0e1f")
LATEST_OFFSET = timedelta(hours=20)   # nothing in the scenario is observed or recorded after this

OFFICER_PASSWORD = "demo-bhabin"

# Officers (username = NRP). Fictional people; the desa they serve are real.
KOTO_BARU_NRP = "88030417"        # Koto Baru + Srimenanti, Kec. Koto Baru, Kota Sungai Penuh
DUJUNG_SAKTI_NRP = "90110233"     # Dujung Sakti + Kampung Tengah, Kec. Koto Baru
KOTO_LOLO_NRP = "87090561"        # Koto Lolo + Koto Tengah, Kec. Pesisir Bukit
RENAH_KAYU_EMBUN_NRP = "92020148"  # Renah Kayu Embun, Kec. Kumun Debai
MASGO_NRP = "85120377"            # Masgo, Kec. Gunung Raya, Kerinci (no mobile signal)
PUNGUT_NRP = "89040625"           # Pungut Tengah/Hilir/Mudik, Kec. Air Hangat Timur (no signal)
SIULAK_NRP = "91060784"           # Siulak Gedang + Pasar Siulak Gedang, Kec. Siulak
TELANAIPURA_NRP = "87100352"      # Telanaipura + Simpang IV Sipin, Kota Jambi
JELUTUNG_NRP = "93010219"         # Jelutung + Kebun Handil, Kota Jambi

_SUPERVISORS = (
    # username, name, role, scope, password, title
    ("admin", "Admin Peta Rawan", "admin", ("15",), "demo-admin-jambi",
     "Operator Biro Operasi Polda Jambi"),
    ("polda.jambi", "AKBP Irwan Syahputra", "supervisor", ("15",), "demo-polda-jambi",
     "Kabag Binops Biro Operasi Polda Jambi"),
    ("polres.kerinci", "Kompol Hendra Wijaya Lubis", "supervisor", ("15.01", "15.72"),
     "demo-polres-kerinci", "Kabag Ops Polres Kerinci"),
    ("polsek.pesisirbukit", "AKP Syafrizal Anwar", "supervisor", ("15.72.02", "15.72.07"),
     "demo-polsek-pb", "Kapolsek Pesisir Bukit"),
    ("polresta.jambi", "Kompol Rahmat Hidayat Nasution", "supervisor", ("15.71",),
     "demo-polresta-jambi", "Kabag Ops Polresta Jambi"),
)

_OFFICERS = (
    # NRP, name, scope (desa served), title
    (KOTO_BARU_NRP, "Bripka Andri Saputra", ("15.72.07.2001", "15.72.07.2006"),
     "Bhabinkamtibmas Desa Koto Baru"),
    (DUJUNG_SAKTI_NRP, "Brigpol Reza Pratama", ("15.72.07.2004", "15.72.07.2003"),
     "Bhabinkamtibmas Desa Dujung Sakti"),
    (KOTO_LOLO_NRP, "Aipda Fadli Gusman", ("15.72.02.2004", "15.72.02.2005"),
     "Bhabinkamtibmas Desa Koto Lolo"),
    (RENAH_KAYU_EMBUN_NRP, "Brigpol Yoga Firmansyah", ("15.72.05.2007",),
     "Bhabinkamtibmas Desa Renah Kayu Embun"),
    (MASGO_NRP, "Aipda Sutrisno", ("15.01.01.2005",), "Bhabinkamtibmas Desa Masgo"),
    (PUNGUT_NRP, "Bripka Hendri Yusman", ("15.01.11.2010", "15.01.11.2011", "15.01.11.2012"),
     "Bhabinkamtibmas Desa Pungut Tengah"),
    (SIULAK_NRP, "Brigpol Dani Kurniawan", ("15.01.16.2001", "15.01.16.2004"),
     "Bhabinkamtibmas Desa Siulak Gedang"),
    (TELANAIPURA_NRP, "Aipda Muhammad Iqbal", ("15.71.01.1004", "15.71.01.1001"),
     "Bhabinkamtibmas Kelurahan Telanaipura"),
    (JELUTUNG_NRP, "Bripka Putri Handayani", ("15.71.08.1006", "15.71.08.1003"),
     "Bhabinkamtibmas Kelurahan Jelutung"),
)

# Desa points used by the scenario, copied from assets/regions/jambi_wilayah.csv.
DESA_POINTS = {
    "15.72.07.2001": (-2.037531, 101.396237),  # Koto Baru
    "15.72.07.2003": (-2.034321, 101.388404),  # Kampung Tengah
    "15.72.07.2004": (-2.033895, 101.392187),  # Dujung Sakti
    "15.72.07.2006": (-2.035232, 101.398902),  # Srimenanti
    "15.72.02.2004": (-2.051831, 101.372734),  # Koto Lolo
    "15.72.02.2005": (-2.057043, 101.377135),  # Koto Tengah
    "15.72.01.1001": (-2.060150, 101.398176),  # Sungai Penuh
    "15.72.05.2007": (-2.171596, 101.325162),  # Renah Kayu Embun
    "15.01.01.2005": (-2.283050, 101.678958),  # Masgo
    "15.01.11.2010": (-1.973163, 101.510156),  # Pungut Tengah
    "15.01.11.2011": (-1.992070, 101.536103),  # Pungut Hilir
    "15.01.16.2001": (-1.975573, 101.354840),  # Siulak Gedang
    "15.71.01.1001": (-1.615570, 103.576774),  # Simpang IV Sipin
    "15.71.01.1004": (-1.606772, 103.581652),  # Telanaipura
    "15.71.08.1003": (-1.625143, 103.618264),  # Kebun Handil
    "15.71.08.1006": (-1.615993, 103.614215),  # Jelutung
}
_JITTER_DEG = 0.0003   # ~33 m: a phone's fix lands near, not on, the desa point


@dataclass(frozen=True, slots=True)
class _Event:
    key: str
    officer: str
    when: str            # 2024 wall clock in WIB, "MM-DD HH:MM"
    category: str
    threat_stage: str
    desa_code: str
    grade: str           # Admiralty grade, e.g. "B2"
    facts: str
    opinion: str | None = None
    people: int | None = None
    tps: str | None = None
    delay_min: int = 6   # minutes between observing and writing the report
    gps: bool = True


_E = _Event
_KAMPANYE = (
    _E("kampanye/jelutung/hoaks-video", JELUTUNG_NRP, "11-16 10:20", "hoaks_sara", "PG", "15.71.08.1006",
       "C3", "Beredar potongan video di grup WhatsApp warga RT 05 yang menuding salah satu paslon "
       "anti kelompok agama tertentu. Video sudah diteruskan ke Unit Siber.",
       "Bisa memicu ketegangan antarwarga bila terus disebar. Perlu klarifikasi tokoh agama.",
       gps=False),
    _E("kampanye/siulak/kades-kalender", SIULAK_NRP, "11-17 15:00", "netralitas", "PG", "15.01.16.2001",
       "B2", "Kepala desa ikut membagikan kalender bergambar paslon bupati saat yasinan di masjid desa.",
       "Sudah diteruskan ke Panwascam. Pendukung paslon lain mulai mengeluh.", people=60),
    _E("kampanye/pungut/sengketa-lahan", PUNGUT_NRP, "11-18 09:00", "konflik_laten", "PG", "15.01.11.2011",
       "B3", "Sengketa batas lahan warga Pungut Hilir dan Pungut Mudik kembali diungkit di warung, "
       "dikaitkan dengan dukungan ke paslon yang berbeda.",
       "Konflik lama (desa rawan 2013). Bisa tersulut saat pemungutan suara."),
    _E("kampanye/koto-baru/penolakan", KOTO_BARU_NRP, "11-20 19:00", "bentrok", "PG", "15.72.07.2001",
       "B2", "Sekitar 30 warga dan tokoh adat berkumpul di rumah adat, menolak kampanye tatap muka "
       "Paslon 02 di desa besok. Spanduk penolakan dipasang di simpang masuk desa.",
       "Pendukung Paslon 02 dari desa tetangga tetap akan datang. Rawan bentrok seperti Pilkada 2020, "
       "mohon pengamanan kampanye ditebalkan.", people=30),
    _E("kampanye/koto-baru/bentrok-1", DUJUNG_SAKTI_NRP, "11-21 13:30", "bentrok", "GN", "15.72.07.2001",
       "A1", "Rombongan kampanye Paslon 02 dihadang warga di jalan desa Koto Baru. Kedua kelompok "
       "pendukung saling lempar batu, 3 orang luka dibawa ke puskesmas, 2 sepeda motor rusak.",
       "Massa masih bertahan di kedua sisi jalan. Butuh tambahan personel Dalmas segera.",
       people=150, delay_min=4),
    _E("kampanye/koto-baru/bentrok-2", KOTO_BARU_NRP, "11-21 13:45", "bentrok", "GN", "15.72.07.2001",
       "A1", "Lempar batu antar pendukung Paslon 01 dan 02 di depan rumah adat. Personel Polsek "
       "melerai, kampanye dibatalkan. Korban luka 3 orang.",
       "Tokoh adat menolak mediasi hari ini. Kelompok pemuda masih berkumpul.", people=120),
    _E("kampanye/koto-baru/susulan", KOTO_BARU_NRP, "11-21 20:15", "bentrok", "AG", "15.72.07.2001",
       "B2", "Massa sudah bubar. Sekitar 40 pemuda masih berjaga di simpang desa. Beredar ajakan "
       "aksi balasan di grup WhatsApp.",
       "Rawan aksi balasan malam ini dan saat pemungutan suara. Perlu patroli gabungan TNI-Polri dan "
       "pertemuan tokoh adat kedua pihak.", people=40),
    _E("kampanye/dujung-sakti/apk-dirusak", DUJUNG_SAKTI_NRP, "11-22 07:30", "pelanggaran_kampanye", "GN",
       "15.72.07.2004", "A2", "Enam baliho dan spanduk Paslon 02 di sepanjang jalan desa dirobek, "
       "dua di antaranya dibakar. Pelaku belum diketahui.",
       "Diduga buntut bentrok kemarin. Sudah dilaporkan ke Panwascam; pendukung Paslon 02 terpancing."),
    _E("kampanye/koto-lolo/apk-liar", KOTO_LOLO_NRP, "11-22 16:00", "pelanggaran_kampanye", "PG",
       "15.72.02.2004", "B3", "APK Paslon 01 dipasang di pagar sekolah dan tiang listrik. Pemasang "
       "sudah ditegur dan berjanji menurunkannya.",
       "Kecil, tetapi fotonya sudah disebar pendukung lawan."),
    _E("kampanye/telanaipura/deklarasi-damai", TELANAIPURA_NRP, "11-23 09:00", "inisiatif_damai", "PG",
       "15.71.01.1004", "A1", "Deklarasi pilkada damai di lapangan kelurahan, dihadiri tim sukses semua "
       "paslon, tokoh agama dan pemuda. Semua menandatangani kesepakatan tolak politik uang dan hoaks.",
       "Situasi kondusif.", people=200),
    _E("kampanye/simpang-iv-sipin/asn", TELANAIPURA_NRP, "11-23 14:00", "netralitas", "PG", "15.71.01.1001",
       "C3", "Dua ASN kelurahan hadir berseragam dinas di acara relawan salah satu paslon gubernur. "
       "Fotonya beredar di media sosial.", "Sudah diteruskan ke Bawaslu kota.", people=2),
)
_MASA_TENANG = (
    _E("masa-tenang/siulak/pendataan", SIULAK_NRP, "11-24 21:50", "politik_uang", "PG", "15.01.16.2001",
       "C3", "Info warga: tim pemenangan mendata nama dan NIK pemilih per rumah dengan janji 'bantuan' "
       "menjelang hari pemungutan suara.",
       "Indikasi persiapan serangan fajar. Perlu pemantauan bersama Panwascam."),
    _E("masa-tenang/pungut/amplop", PUNGUT_NRP, "11-25 21:15", "politik_uang", "AG", "15.01.11.2010",
       "B2", "Warga melapor amplop berisi Rp100.000 sudah disiapkan di rumah seorang koordinator untuk "
       "dibagikan malam sebelum pencoblosan.",
       "Desa tanpa sinyal. Perlu patroli malam selama hari tenang.", delay_min=25),
    _E("masa-tenang/srimenanti/amplop-diamankan", KOTO_BARU_NRP, "11-26 01:30", "politik_uang", "GN",
       "15.72.07.2006", "A1", "Dua orang kedapatan membagikan amplop berisi Rp200.000 dan stiker paslon "
       "dari rumah ke rumah. Keduanya diamankan bersama Panwascam beserta 37 amplop.",
       "Diduga jaringan lebih besar. Rawan serangan fajar di desa sekitar.", people=2),
    _E("masa-tenang/kebun-handil/kotak-rusak", JELUTUNG_NRP, "11-26 10:00", "logistik", "PG",
       "15.71.08.1003", "A2", "Distribusi logistik ke PPS Kebun Handil: 2 kotak suara rusak kena hujan "
       "saat dibongkar, sudah diganti KPU.", "Sudah tertangani."),
    _E("masa-tenang/masgo/longsor", MASGO_NRP, "11-26 15:20", "bencana", "AG", "15.01.01.2005",
       "A1", "Hujan deras sejak siang, longsor menutup sebagian jalan menuju Masgo. Kendaraan logistik "
       "pemilihan tidak bisa lewat.",
       "Kotak suara untuk 3 TPS bisa terlambat. Perlu alat berat atau dipikul warga.", delay_min=465),
    _E("masa-tenang/koto-tengah/serangan-fajar", KOTO_LOLO_NRP, "11-26 18:45", "politik_uang", "AG",
       "15.72.02.2005", "B3", "Info tokoh masyarakat: ada rencana serangan fajar sebelum TPS dibuka, "
       "uang dibagikan lewat ketua RT.", "Usul patroli subuh sebelum TPS dibuka."),
)
_PEMUNGUTAN_SUARA = (
    _E("pemungutan/siulak/serangan-fajar", SIULAK_NRP, "11-27 05:10", "politik_uang", "GN", "15.01.16.2001",
       "A2", "Tiga orang tertangkap tangan membagikan uang Rp50.000 per pemilih sebelum TPS 04 dibuka. "
       "Diserahkan ke Sentra Gakkumdu.", "Pembagian serupa diduga terjadi di desa lain di Siulak.",
       people=3, tps="04"),
    _E("pemungutan/masgo/surat-suara-kurang", MASGO_NRP, "11-27 10:30", "logistik", "AG", "15.01.01.2005",
       "A1", "Surat suara di TPS 02 kurang 15 lembar. Pemilih antre, KPPS menunggu tambahan dari PPS.",
       "Warga mulai protes. Kiriman tambahan terhambat jalan longsor. Laporan ditulis setelah "
       "penghitungan selesai.", people=25, tps="02", delay_min=560),
    _E("pemungutan/pungut/saksi-didatangi", PUNGUT_NRP, "11-27 14:00", "intimidasi", "AG", "15.01.11.2010",
       "C3", "Saksi Paslon 01 di TPS 01 mengaku didatangi dua orang tak dikenal dan diminta pulang "
       "sebelum penghitungan.", "Personel TPS sudah diminta tetap di lokasi sampai selesai.",
       people=2, tps="01"),
    _E("pemungutan/telanaipura/lancar", TELANAIPURA_NRP, "11-27 14:30", "informasi_umum", "PG",
       "15.71.01.1004", "A1", "Pemungutan suara di 14 TPS Kelurahan Telanaipura berjalan lancar, "
       "penghitungan dimulai tepat waktu.", None),
    _E("pemungutan/jelutung/hoaks-hitung", JELUTUNG_NRP, "11-27 19:30", "hoaks_sara", "AG", "15.71.08.1006",
       "C3", "Beredar pesan berantai bahwa hasil hitung TPS 12 dimanipulasi. Setelah dicek, C hasil "
       "TPS 12 sesuai dan disaksikan semua saksi.",
       "Hoaks. Perlu klarifikasi KPU kota agar warga tidak terpancing.", tps="12"),
    _E("pemungutan/koto-baru/tps03-protes", KOTO_BARU_NRP, "11-27 20:40", "gangguan_tps", "AG",
       "15.72.07.2001", "A1", "Saat penghitungan di TPS 03 sekitar 40 orang memprotes hasil dan mendesak "
       "KPPS menghentikan penghitungan.", "Massa emosi. Mohon bantuan personel ke TPS 03 sekarang.",
       people=40, tps="03", delay_min=3),
    _E("pemungutan/koto-baru/tps03-dibakar", KOTO_BARU_NRP, "11-27 21:05", "gangguan_tps", "GN",
       "15.72.07.2001", "A1", "Massa merebut kotak suara dan surat suara TPS 03 lalu membakarnya di "
       "halaman. KPPS dan saksi menyelamatkan diri, tidak ada korban jiwa.",
       "Sebagian pelaku dari luar desa. Bisa meluas ke TPS lain malam ini.", people=60, tps="03",
       delay_min=4),
    _E("pemungutan/dujung-sakti/tps05-dibakar", DUJUNG_SAKTI_NRP, "11-27 21:35", "gangguan_tps", "GN",
       "15.72.07.2004", "A1", "Kotak suara TPS 05 dibakar sekelompok orang setelah penghitungan selesai. "
       "Formulir C hasil sempat difoto saksi.",
       "Logistik semua TPS di Koto Baru perlu diamankan dan dievakuasi ke PPK.", people=50, tps="05",
       delay_min=5),
    _E("pemungutan/koto-lolo/tps07-dibakar", KOTO_LOLO_NRP, "11-27 21:50", "gangguan_tps", "GN",
       "15.72.02.2004", "A2", "Sekitar 35 orang mendatangi TPS 07, membakar surat suara yang belum "
       "dihitung dan merusak bilik. KPPS dievakuasi ke rumah kepala desa.",
       "Pelaku bergerak dari arah Koto Baru. Mohon penebalan di TPS Pesisir Bukit.", people=35,
       tps="07", delay_min=4),
    _E("pemungutan/kampung-tengah/tps02-dibakar", DUJUNG_SAKTI_NRP, "11-27 22:15", "gangguan_tps", "GN",
       "15.72.07.2003", "B2", "Kotak suara TPS 02 dibawa lari dan dibakar di pinggir jalan. Dua pelaku "
       "terlihat naik sepeda motor ke arah Kumun Debai.", None, people=30, tps="02"),
    _E("pemungutan/koto-tengah/evakuasi-ppk", KOTO_LOLO_NRP, "11-27 22:40", "pengerahan_massa", "AG",
       "15.72.02.2005", "B2", "Logistik TPS yang tersisa di Pesisir Bukit dievakuasi ke kantor PPK. "
       "Sekitar 80 orang bergerak mengikuti ke arah kantor PPK.",
       "Rawan blokade kantor PPK saat rekapitulasi besok.", people=80),
)
_REKAPITULASI = (
    _E("rekapitulasi/dujung-sakti/blokade-ppk", DUJUNG_SAKTI_NRP, "11-28 09:40", "pengerahan_massa", "GN",
       "15.72.07.2004", "A1", "Sekitar 250 orang memblokade jalan dan pintu kantor PPK Koto Baru, "
       "menuntut rekapitulasi kecamatan dihentikan. Rapat pleno PPK ditunda.",
       "Massa dari beberapa desa. Mohon tambahan Dalmas dan negosiator.", people=250),
    _E("rekapitulasi/dujung-sakti/ban-dibakar", KOTO_BARU_NRP, "11-28 10:05", "pengerahan_massa", "GN",
       "15.72.07.2004", "A1", "Massa bertambah, ban dibakar di depan kantor PPK. Logistik hasil "
       "pemungutan suara tertahan di dalam.", "Tokoh adat Koto Baru bersedia membantu negosiasi.",
       people=300),
    _E("rekapitulasi/siulak/pleno-ppk", SIULAK_NRP, "11-28 11:00", "pengerahan_massa", "PG",
       "15.01.16.2001", "B2", "Rapat pleno PPK Siulak berjalan. Sekitar 20 pendukung paslon menunggu "
       "di luar kantor dengan tertib.", None, people=20),
    _E("rekapitulasi/sungai-penuh/kpu", KOTO_LOLO_NRP, "11-28 12:30", "pengerahan_massa", "AG",
       "15.72.01.1001", "B2", "Sekitar 60 orang berkumpul di sekitar kantor KPU Kota Sungai Penuh. "
       "Ada ajakan memblokade kantor KPU bila rekap dipindahkan ke sana.",
       "Perlu penjagaan kantor KPU sebelum logistik tiba.", people=60),
    _E("rekapitulasi/telanaipura/pleno-keberatan", TELANAIPURA_NRP, "11-28 13:00", "gangguan_tps", "PG",
       "15.71.01.1004", "A2", "Pleno PPK Telanaipura tertib. Saksi satu paslon keberatan atas hasil "
       "2 TPS dan diarahkan ke mekanisme keberatan.", None),
    _E("rekapitulasi/dujung-sakti/blokade-dibuka", DUJUNG_SAKTI_NRP, "11-28 15:10", "pengerahan_massa",
       "AG", "15.72.07.2004", "A2", "Blokade dibuka setelah negosiasi bersama tokoh adat. Sekitar 80 "
       "orang masih bertahan di sekitar PPK. Rekapitulasi dipindahkan ke kantor KPU kota dengan "
       "pengawalan.", "Rawan aksi lanjutan saat hasil rekap diumumkan.", people=80),
    _E("rekapitulasi/renah-kayu-embun/tersangka", RENAH_KAYU_EMBUN_NRP, "11-28 16:50", "pengerahan_massa",
       "PG", "15.72.05.2007", "B2", "Seorang warga desa yang diduga ikut membakar kotak suara "
       "menyerahkan diri ke polisi didampingi keluarga dan kepala desa. Sekitar 30 kerabat berkumpul "
       "di rumah keluarganya.", "Ada ajakan mendatangi Mapolres, sudah diredam kepala desa. Sembilan "
       "terduga lain masih dicari; rawan bila penangkapan dilakukan di desa.", people=30),
    _E("rekapitulasi/koto-baru/pertemuan-damai", KOTO_BARU_NRP, "11-28 17:25", "inisiatif_damai", "PG",
       "15.72.07.2001", "A1", "Tokoh adat, alim ulama dan pemuda Koto Baru bertemu di rumah adat, "
       "sepakat menahan diri dan menyerahkan proses hukum ke polisi.",
       "Positif. Patroli tetap perlu sampai penetapan hasil.", people=45, delay_min=7),
)
_STORY = (
    ("kampanye", _KAMPANYE),
    ("masa_tenang", _MASA_TENANG),
    ("pemungutan_suara", _PEMUNGUTAN_SUARA),
    ("rekapitulasi", _REKAPITULASI),
)


def demo_accounts() -> list[dict]:
    """The demo users: {username, name, role, scope, password, title}; fresh copies every call."""
    accounts = [
        {"username": username, "name": name, "role": role, "scope": list(scope),
         "password": password, "title": title}
        for username, name, role, scope, password, title in _SUPERVISORS
    ]
    accounts += [
        {"username": nrp, "name": name, "role": "officer", "scope": list(scope),
         "password": OFFICER_PASSWORD, "title": title}
        for nrp, name, scope, title in _OFFICERS
    ]
    return accounts


def demo_scenario(anchor: datetime) -> list[tuple[str, dict]]:
    """(officer username, wire report v1) pairs in chronological order, voting night at ``anchor``.

    ``anchor`` must be timezone-aware. Nothing is observed or recorded after ``anchor + 20 h``.
    """
    if anchor.tzinfo is None or anchor.utcoffset() is None:
        raise ValueError("anchor must be a timezone-aware datetime")
    shift = anchor.replace(microsecond=0) - VOTING_NIGHT_2024
    pairs = [(event.officer, _wire(event, stage, shift)) for stage, events in _STORY for event in events]
    return sorted(pairs, key=lambda pair: datetime.fromisoformat(pair[1]["observed_at"]))


def scenario_id(key: str) -> str:
    """The deterministic report id of a scenario key."""
    return str(uuid.uuid5(SCENARIO_NAMESPACE, key))


def _wire(event: _Event, stage: str, shift: timedelta) -> dict:
    """The event as its officer's phone would send it. ``stage`` is stated only at the story's real
    dates: shifted to another date the calendar's tahapan of that date is the truth, and the server
    derives it (it refuses a stated stage that contradicts ``observed_at``)."""
    report_id = scenario_id(event.key)
    observed = _wall_clock_2024(event.when) + shift
    recorded = observed + timedelta(minutes=event.delay_min)
    return {
        "id": report_id,
        "observed_at": observed.astimezone(WIB).isoformat(),
        "recorded_at": recorded.astimezone(WIB).isoformat(),
        "category": event.category,
        "threat_stage": event.threat_stage,
        "desa_code": event.desa_code,
        "location": _location(event, report_id) if event.gps else None,
        "stage": stage if not shift else None,
        "people_count": event.people,
        "source_reliability": event.grade[0],
        "info_credibility": int(event.grade[1:]),
        "facts": event.facts,
        "opinion": event.opinion,
        "tps": event.tps,
        "media": [],
        "supersedes": None,
    }


def _wall_clock_2024(when: str) -> datetime:
    moment = datetime.strptime(f"2024-{when}", "%Y-%m-%d %H:%M")
    return moment.replace(tzinfo=WIB)


def _location(event: _Event, report_id: str) -> dict:
    """The desa point moved by a small deterministic jitter, as a phone's GPS fix would be."""
    lat, lon = DESA_POINTS[event.desa_code]
    raw = uuid.UUID(report_id).bytes
    dlat = (raw[0] - 127.5) / 127.5 * _JITTER_DEG
    dlon = (raw[1] - 127.5) / 127.5 * _JITTER_DEG
    accuracy = 6.0 + raw[2] % 20
    return {"lat": round(lat + dlat, 6), "lon": round(lon + dlon, 6), "accuracy_m": accuracy}
