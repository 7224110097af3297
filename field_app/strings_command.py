"""The command view's strings (issue 13): the rekap berjenjang, the board's one filter control,
names instead of codes, history verbs. Key -> (id, en), merged into ``field_app.strings.STRINGS``.

One word for each thing: "penanggung jawab" (the supervisor an alert belongs to), "atasan" (a
commander at Polsek/Polres/Polda — not "pengawas", which reads as Bawaslu).
"""
from __future__ import annotations

COMMAND_STRINGS: dict[str, tuple[str, str]] = {
    "sv.nav.rekap": ("Rekap", "Summary"),
    "sv.loading": ("Memuat…", "Loading…"),
    "sv.rekap.title.polres": ("{unit}: per Polres", "{unit}: by Polres"),
    "sv.rekap.title.kecamatan": ("{unit}: per Polsek (kecamatan)", "{unit}: by Polsek (district)"),
    "sv.rekap.title.desa": ("{unit}: per desa dan Bhabin", "{unit}: by village and officer"),
    "sv.rekap.title.none": ("{unit}", "{unit}"),
    "sv.rekap.window": ("Hari {date} (WIB) · waktu tanggap dari peringatan {days} hari terakhir · ketuk baris "
                        "untuk turun satu tingkat",
                        "Day {date} (WIB) · response times over the last {days} days' alerts · tap a row to go "
                        "down one level"),
    "sv.rekap.alarm": ("Belum bertindak: {units}", "Not acting: {units}"),
    "sv.rekap.empty": ("Tidak ada tingkat di bawah unit ini.", "No level below this unit."),
    "sv.rekap.total": ("Seluruh unit: {open} aktif · {overdue} lewat batas · {escalated} dieskalasi · diterima "
                       "{ack} · tindakan pertama {action} · selesai tanpa tindakan {bare} · Bhabin melapor {bhabin} "
                       "· desa tanpa kabar {silent}",
                       "Whole unit: {open} active · {overdue} overdue · {escalated} escalated · acknowledged "
                       "{ack} · first action {action} · resolved without action {bare} · officers reporting "
                       "{bhabin} · villages without news {silent}"),
    "sv.rekap.legend": ("Diterima dan tindakan pertama: median waktu sejak peringatan dibuka. Bhabin melapor: yang "
                        "mengirim laporan atau laporan nihil hari ini.",
                        "Acknowledged and first action: median time since the alert opened. Officers reporting: "
                        "those who sent a report or a nil report today."),
    "sv.rekap.col.unit": ("Unit", "Unit"),
    "sv.rekap.col.open": ("Aktif", "Active"),
    "sv.rekap.col.overdue": ("Lewat batas", "Overdue"),
    "sv.rekap.col.escalated": ("Dieskalasi", "Escalated"),
    "sv.rekap.col.ack": ("Diterima (median)", "Acknowledged (median)"),
    "sv.rekap.col.action": ("Tindakan pertama", "First action"),
    "sv.rekap.col.bare": ("Selesai tanpa tindakan", "Resolved, no action"),
    "sv.rekap.col.bhabin": ("Bhabin melapor", "Officers reporting"),
    "sv.rekap.col.silent": ("Desa tanpa kabar", "Villages, no news"),
    "sv.rekap.minutes": ("{n} mnt", "{n} min"),
    "sv.rekap.hours": ("{n} jam", "{n} h"),
    "sv.rekap.unacknowledged": ("{n} belum diterima · {time}", "{n} not acknowledged · {time}"),
    # ---- the board on a phone: one control for the filters
    "sv.filter.open": ("Saring", "Filter"),
    "sv.filter.title": ("Saring peringatan", "Filter alerts"),
    "sv.filter.done": ("Terapkan", "Apply"),
    "sv.filter.mine": ("Hanya yang saya tanggung jawabi", "Only alerts I am responsible for"),
    "sv.filter.chip.mine": ("milik saya", "mine"),
    "sv.filter.chip.none": ("semua peringatan", "all alerts"),
    "sv.board.empty_hidden": ("Tidak ada yang cocok dengan saringan; {n} peringatan aktif lain di wilayah Anda — "
                              "ketuk × pada saringan untuk melihat semua.",
                              "Nothing matches the filter; {n} other active alerts in your area — tap × on the "
                              "filter to see them all."),
    "sv.board.sorted": ("Urut: lewat batas dulu, lalu batas waktu terdekat", "Sorted: overdue first, then nearest deadline"),
    # ---- names, not codes
    "sv.alert.owner": ("Penanggung jawab: {owner}", "Responsible: {owner}"),
    "sv.alert.pick_officer": ("Pilih petugas di wilayah ini", "Pick an officer of this region"),
    "sv.alert.no_officers": ("Belum ada petugas terdaftar di wilayah ini.", "No officer registered in this region."),
    "sv.alert.officer_option": ("{label} · sinkron terakhir {time}", "{label} · last sync {time}"),
    "sv.review.ungraded": ("belum dinilai", "not graded"),
    "sv.review.opinion": ("Pendapat: {opinion}", "Assessment: {opinion}"),
    "sv.review.location": ("Lokasi: {lat}, {lon} (±{accuracy} m)", "Location: {lat}, {lon} (±{accuracy} m)"),
    "sv.review.no_location": ("Tanpa lokasi GPS", "No GPS location"),
    "sv.history.opened": ("peringatan dibuka", "alert opened"),
    "sv.history.level": ("tingkat berubah", "level changed"),
    "sv.history.escalated": ("dieskalasi dari {from_owner} ke {to_owner}; batas waktu dilewatkan oleh {missed_by}",
                             "escalated from {from_owner} to {to_owner}; deadline let pass by {missed_by}"),
    "sv.history.overdue": ("lewat batas waktu, tidak ada atasan lagi; dilewatkan oleh {missed_by}",
                           "overdue with nobody above; let pass by {missed_by}"),
    "sv.history.acknowledge": ("diterima", "acknowledged"),
    "sv.history.assign": ("ditugaskan ke {assignee}", "assigned to {assignee}"),
    "sv.history.respond": ("tindakan dicatat", "response recorded"),
    "sv.history.resolve": ("diselesaikan", "resolved"),
    "sv.history.reopen": ("dibuka kembali", "reopened"),
    "sv.history.task_acknowledge": ("tugas diterima petugas", "task acknowledged by the officer"),
    "sv.history.task_report": ("petugas melaporkan hasil", "officer reported back"),
}
