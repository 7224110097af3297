"""How the officer's screens look: colours readable in sunlight, big targets, one bundled font.

Dark text on white, one navy accent, and state colours that never carry meaning alone (each state
also has words and an icon). Touch targets are at least 48 px; primary actions are 56 px tall and
sit at the bottom of the screen, where a thumb reaches them.
"""
from __future__ import annotations

import flet as ft

FONT = "NotoSans"
FONT_BOLD = "NotoSansBold"
FONTS = {FONT: "fonts/NotoSans-Regular.ttf", FONT_BOLD: "fonts/NotoSans-Bold.ttf"}

NAVY = "#0B3D91"          # primary: white text on it has a contrast of 10:1
INK = "#111111"           # body text on white: 18.9:1
MUTED = "#3D3D3D"         # secondary text on white: 10.9:1
LINE = "#5F6368"
SURFACE = "#FFFFFF"
PANEL = "#EEF2F8"         # the status strip and cards
ERROR = "#B00020"

TARGET = 48               # the smallest touch target
PRIMARY_HEIGHT = 56       # primary buttons
GAP = 12

# state -> (text colour, background, icon); every pair has a contrast of at least 7:1
STATE_STYLE = {
    "waiting": ("#5C3B00", "#FFE8B3", ft.Icons.HOURGLASS_TOP),
    "sending": ("#0B3D91", "#DCE6F7", ft.Icons.CLOUD_UPLOAD),
    "sent": ("#1B5E20", "#DFF0E0", ft.Icons.CHECK_CIRCLE),
    "attention": ("#8E0000", "#FCE4E4", ft.Icons.ERROR),
}

CATEGORY_ICONS = {
    "politik_uang": ft.Icons.PAYMENTS, "netralitas": ft.Icons.BALANCE, "hoaks_sara": ft.Icons.RECORD_VOICE_OVER,
    "intimidasi": ft.Icons.PAN_TOOL, "ancaman_penyelenggara": ft.Icons.ACCOUNT_BALANCE,
    "bentrok": ft.Icons.SPORTS_KABADDI, "pengerahan_massa": ft.Icons.GROUPS,
    "pelanggaran_kampanye": ft.Icons.CAMPAIGN, "logistik": ft.Icons.LOCAL_SHIPPING,
    "gangguan_tps": ft.Icons.HOW_TO_VOTE, "data_pemilih": ft.Icons.PERSON_SEARCH, "konflik_laten": ft.Icons.TERRAIN,
    "senjata_premanisme": ft.Icons.DANGEROUS, "bencana": ft.Icons.FLOOD, "inisiatif_damai": ft.Icons.HANDSHAKE,
    "informasi_umum": ft.Icons.INFO,
}

THREAT_COLOURS = {"PG": ("#5C3B00", "#FFE8B3"), "AG": ("#7A2E00", "#FFD8BF"), "GN": ("#FFFFFF", "#B00020")}


def apply_theme(page: ft.Page) -> None:
    page.fonts = dict(FONTS)
    page.theme_mode = ft.ThemeMode.LIGHT
    page.theme = ft.Theme(
        font_family=FONT, use_material3=True,
        color_scheme=ft.ColorScheme(primary=NAVY, on_primary=SURFACE, secondary=NAVY, on_secondary=SURFACE,
                                    surface=SURFACE, on_surface=INK, on_surface_variant=MUTED, error=ERROR,
                                    on_error=SURFACE, outline=LINE, primary_container="#DCE6F7",
                                    on_primary_container=NAVY, secondary_container="#DCE6F7",
                                    on_secondary_container=NAVY),
        visual_density=ft.VisualDensity.STANDARD,
    )
    page.bgcolor = SURFACE
    page.padding = 0


def text(value: str, *, size: int = 16, bold: bool = False, color: str = INK, key: str | None = None,
         align: ft.TextAlign | None = None, selectable: bool = False, expand: bool | None = None) -> ft.Text:
    return ft.Text(value, size=size, color=color, key=key, text_align=align, selectable=selectable, expand=expand,
                   font_family=FONT_BOLD if bold else FONT)


def heading(value: str, *, key: str | None = None) -> ft.Text:
    return text(value, size=22, bold=True, key=key)


def error_text(value: str | None, *, key: str | None = None) -> ft.Text:
    """A message under a control that has no ``error`` slot of its own."""
    return ft.Text(value or "", size=14, color=ERROR, key=key, visible=bool(value), font_family=FONT_BOLD)


def primary_button(label: str, on_click, *, key: str, icon=None, disabled: bool = False,
                   height: int = PRIMARY_HEIGHT) -> ft.FilledButton:
    """The screen's main action. Put it in a stretching column (``screen(bottom=...)``) for full width."""
    return ft.FilledButton(
        content=text(label, size=18, bold=True, color=SURFACE), icon=icon, on_click=on_click, key=key,
        disabled=disabled, height=height,
        style=ft.ButtonStyle(bgcolor={ft.ControlState.DISABLED: LINE, ft.ControlState.DEFAULT: NAVY},
                             icon_color=SURFACE, icon_size=24, shape=ft.RoundedRectangleBorder(radius=10)))


def set_label(button: ft.Control, label: str) -> None:
    button.content.value = label


def secondary_button(label: str, on_click, *, key: str, icon=None, expand: bool | None = None) -> ft.OutlinedButton:
    return ft.OutlinedButton(
        content=text(label, size=16, bold=True, color=NAVY), icon=icon, on_click=on_click, key=key, height=TARGET,
        expand=expand, style=ft.ButtonStyle(icon_color=NAVY, side=ft.BorderSide(2, NAVY),
                                            shape=ft.RoundedRectangleBorder(radius=10)))


def link_button(label: str, on_click, *, key: str, icon=None) -> ft.Control:
    return ft.TextButton(content=text(label, size=16, bold=True, color=NAVY), icon=icon, on_click=on_click,
                         key=key, height=TARGET, style=ft.ButtonStyle(icon_color=NAVY))


def input_border() -> dict:
    """Dark outlines (the default grey is too faint in sunlight); thicker navy when focused, red on error."""
    def outline(width: float, colour: str) -> ft.OutlineInputBorder:
        return ft.OutlineInputBorder(side=ft.BorderSide(width, colour), border_radius=8)
    return {ft.ControlState.DEFAULT: outline(1.5, LINE), ft.ControlState.FOCUSED: outline(2.5, NAVY),
            ft.ControlState.ERROR: outline(2, ERROR)}


def field(label: str, *, key: str, value: str = "", on_change=None, password: bool = False,
          keyboard: ft.KeyboardType | None = None, multiline: bool = False, hint: str | None = None,
          max_length: int | None = None, capitalization: ft.TextCapitalization | None = None) -> ft.TextField:
    return ft.TextField(
        label=label, key=key, value=value, on_change=on_change, password=password, capitalization=capitalization,
        can_reveal_password=password, keyboard_type=keyboard, multiline=multiline,
        min_lines=3 if multiline else None, max_lines=8 if multiline else 1, hint_text=hint, max_length=max_length,
        text_size=17, label_style=ft.TextStyle(size=16, color=MUTED), border=input_border(),
        error_style=ft.TextStyle(size=14, color=ERROR),
        error_max_lines=4, helper_max_lines=3, color=INK, content_padding=ft.Padding.symmetric(horizontal=14, vertical=12))


def dropdown(label: str, options: list[tuple[str, str]], *, key: str, value: str | None, on_select) -> ft.Dropdown:
    return ft.Dropdown(
        label=label, key=key, value=value, on_select=on_select, expand=True, text_size=16,
        options=[ft.DropdownOption(key=code, text=words) for code, words in options],
        label_style=ft.TextStyle(size=16, color=MUTED), border=input_border(),
        error_style=ft.TextStyle(size=14, color=ERROR), menu_height=420)


def test_id(identifier: str, control: ft.Control, **semantics) -> ft.Semantics:
    """A stable id in the browser's semantics tree (``flt-semantics-identifier``) for E2E tests."""
    return ft.Semantics(identifier=identifier, content=control, **semantics)


def panel(content: ft.Control, *, key: str | None = None, padding: int = GAP, bgcolor: str = PANEL,
          on_click=None) -> ft.Container:
    return ft.Container(content, key=key, padding=padding, bgcolor=bgcolor, border_radius=10, on_click=on_click)


def state_chip(state: str, words: str, *, key: str | None = None, icon=None) -> ft.Container:
    colour, background, default_icon = STATE_STYLE.get(state, STATE_STYLE["waiting"])
    icon = icon or default_icon
    return ft.Container(
        ft.Row([ft.Icon(icon, color=colour, size=20), ft.Text(words, color=colour, size=15, font_family=FONT_BOLD,
                                                              expand=True)],
               spacing=6, vertical_alignment=ft.CrossAxisAlignment.START),
        key=key, bgcolor=background, padding=ft.Padding.symmetric(horizontal=10, vertical=8), border_radius=8)


def threat_badge(code: str) -> ft.Container:
    colour, background = THREAT_COLOURS.get(code, (INK, PANEL))
    return ft.Container(ft.Text(code, color=colour, size=15, font_family=FONT_BOLD), bgcolor=background,
                        padding=ft.Padding.symmetric(horizontal=10, vertical=4), border_radius=6)


def screen(body: list[ft.Control], *, bottom: list[ft.Control] | None = None, scroll: bool = True,
           key: str | None = None) -> ft.Column:
    """One column: a scrolling body and, when given, actions pinned at the bottom for the thumb."""
    parts: list[ft.Control] = [ft.Container(
        ft.Column(body, spacing=GAP, scroll=ft.ScrollMode.AUTO if scroll else None, expand=True,
                  horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
        padding=ft.Padding.only(left=16, right=16, top=12), expand=True)]
    if bottom:
        parts.append(ft.Container(ft.Column(bottom, spacing=8, horizontal_alignment=ft.CrossAxisAlignment.STRETCH),
                                  padding=ft.Padding.symmetric(horizontal=16, vertical=10),
                                  bgcolor=SURFACE, border=ft.Border.only(top=ft.BorderSide(1, "#C8CDD5"))))
    return ft.Column(parts, spacing=0, expand=True, key=key)


def message_text(key: str) -> ft.Text:
    """A message line that stays hidden until ``show_message`` gives it words."""
    return ft.Text("", key=key, visible=False, size=16, font_family=FONT_BOLD)


def show_message(label: ft.Text, message: str | None, colour: str = INK) -> None:
    label.value, label.visible, label.color = message or "", bool(message), colour


REPLAY_INK, REPLAY_BG = "#3B2600", "#FFD54F"     # amber: 9.6:1, unlike any alert level's colour


def replay_banner(words: str) -> ft.Control:
    """The strip on every screen of a replayed election (the demo): nobody mistakes it for live."""
    return test_id("replay-banner", ft.Container(
        ft.Row([ft.Icon(ft.Icons.HISTORY, color=REPLAY_INK, size=18),
                ft.Text(words, color=REPLAY_INK, size=13, font_family=FONT_BOLD, expand=True)], spacing=6),
        bgcolor=REPLAY_BG, padding=ft.Padding.symmetric(horizontal=12, vertical=6)))
