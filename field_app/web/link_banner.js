// Web mode: the page talks to the app server over one WebSocket (Flet's "/ws"). When it closes, Flet's
// client replaces the screen with its own English "Working..." while it reconnects. This script (inlined
// into index.html by field_app/web_index.py, before Flutter starts) watches that socket and covers the
// page at once with the app's words in Indonesian, until the server speaks on a new socket again. The
// browser going offline shows it too: the socket is as good as lost.
(() => {
  "use strict";
  const Native = window.WebSocket;
  if (!Native || window.petaLinkBanner) {
    return;
  }
  const TITLE = "Koneksi ke server aplikasi terputus — menyambung ulang…";
  const BODY = "Laporan yang sudah tersimpan tetap aman. Halaman ini kembali sendiri begitu tersambung.";
  let heard = false;          // the server has spoken on some socket: a close after that is a loss
  let cover = null;

  function build() {
    const style = document.createElement("style");
    style.textContent = `
      #peta-link-lost { position: fixed; inset: 0; z-index: 2147483647; background: #F5F7FB;
        font-family: "Noto Sans", Roboto, "DejaVu Sans", Arial, sans-serif; color: #111111; }
      #peta-link-lost[hidden] { display: none; }
      #peta-link-lost .bar { display: flex; gap: 12px; align-items: center; padding: 14px 16px;
        background: #FFF3CD; border-bottom: 2px solid #B26A00; font-size: 17px; font-weight: 700;
        line-height: 1.35; }
      #peta-link-lost .bar svg { flex: none; width: 28px; height: 28px; }
      #peta-link-lost p { margin: 20px 16px; font-size: 16px; line-height: 1.5; color: #3D3D3D; max-width: 40em; }
      #peta-link-lost .spin { width: 28px; height: 28px; margin: 8px 16px; border-radius: 50%;
        border: 4px solid #C9D6EE; border-top-color: #0B3D91; animation: peta-spin 1s linear infinite; }
      @keyframes peta-spin { to { transform: rotate(360deg); } }
      @media (prefers-reduced-motion: reduce) { #peta-link-lost .spin { animation: none; } }`;
    document.head.appendChild(style);
    cover = document.createElement("div");
    cover.id = "peta-link-lost";
    cover.setAttribute("role", "alert");
    cover.hidden = true;
    cover.innerHTML = `<div class="bar"><svg viewBox="0 0 24 24" aria-hidden="true"><path fill="#111111"
      d="M21 11l2-2c-3.73-3.73-8.87-5.15-13.7-4.31l2.58 2.58c3.3-.02 6.61 1.22 9.12 3.73zm-2 2a9.895 9.895 0
      0 0-3.72-2.33l3.02 3.02.7-.69zM9 17l3 3 3-3a4.237 4.237 0 0 0-6 0zM3.41 1.64L2 3.05 5.05 6.1C3.59 6.83
      2.22 7.79 1 9l2 2c1.23-1.23 2.65-2.16 4.17-2.78l2.24 2.24A9.823 9.823 0 0 0 5 13l2 2a6.999 6.999 0 0 1
      4.89-2.06l7.08 7.08 1.41-1.41L3.41 1.64z"/></svg><span></span></div><p></p><div class="spin"></div>`;
    cover.querySelector(".bar span").textContent = TITLE;
    cover.querySelector("p").textContent = BODY;
    document.body.appendChild(cover);
  }

  function show(lost) {
    if (!document.body) {
      return;
    }
    if (cover === null) {
      build();
    }
    cover.hidden = !lost;
  }

  let current = null;         // the newest socket

  class WatchedSocket extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!/\/ws$/.test(new URL(String(url), location.href).pathname)) {
        return;                    // not Flet's socket
      }
      current = this;
      this.addEventListener("message", () => {
        heard = true;
        if (cover !== null && !cover.hidden) {
          show(false);
        }
      });
      this.addEventListener("close", () => {
        if (heard && this === current) {
          show(true);
        }
      });
    }
  }

  window.WebSocket = WatchedSocket;
  window.addEventListener("offline", () => heard && show(true));
  window.addEventListener("online", () => {
    if (current !== null && current.readyState === Native.OPEN) {
      show(false);                 // a short blip the socket lived through
    }
  });
  window.petaLinkBanner = {title: TITLE, shown: () => cover !== null && !cover.hidden};
})();
