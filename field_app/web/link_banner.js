// Web mode: the page talks to the app server over one WebSocket (Flet's "/ws"). When it closes, Flet's
// client replaces the screen with its own English "Working..." while it reconnects. This script (inlined
// into index.html by field_app/web_index.py, before Flutter starts) watches that socket and covers the
// page at once with the app's words in Indonesian, until the server speaks on a new socket again. The
// browser going offline shows it too: the socket is as good as lost.
//
// A server that hangs (stopped, its loop blocked) closes nothing: the socket stays open and the screen
// would stay as it was, looking live. So the page also asks the server (GET /_peta/link, answered by
// field_app/web_index.py beside Flet) every PROBE_MS. When two questions in a row (the second asked
// at once) get no answer within PROBE_MS, while nothing else came from the server either and the
// browser stayed on the same network, the page is covered with "tidak menjawab" until the server
// answers again: the stale screen stays readable under a wash, marked as possibly out of date, and
// takes no taps (they would go nowhere).
(() => {
  "use strict";
  const Native = window.WebSocket;
  if (!Native || window.petaLinkBanner) {
    return;
  }
  const TITLE = "Koneksi ke server aplikasi terputus — menyambung ulang…";
  const BODY = "Laporan yang sudah tersimpan tetap aman. Halaman ini kembali sendiri begitu tersambung.";
  const SILENT_TITLE = "Server aplikasi tidak menjawab — layar ini mungkin tidak terbaru";
  const SILENT_BODY = "Yang tampil di bawah adalah keadaan terakhir yang diterima. Laporan yang sudah tersimpan tetap aman; halaman ini kembali sendiri begitu server menjawab lagi.";
  const PROBE_MS = __PETA_PROBE_MS__;     // set by field_app/web_index.py (PETA_LINK_PROBE_SECONDS)
  const PROBE_PATH = "/_peta/link";
  let heard = false;          // the server has spoken on some socket: a close after that is a loss
  let lastHeard = 0;          // performance.now() when it last did
  let lost = false;           // the socket closed (or the browser went offline)
  let silent = false;         // the server did not answer two probes in a row in time
  let misses = 0;             // probes in a row with no answer and nothing else from the server
  let generation = 0;         // bumped when the browser goes offline or online
  let cover = null;

  function build() {
    const style = document.createElement("style");
    style.textContent = `
      #peta-link-lost { position: fixed; inset: 0; z-index: 2147483647; background: #F5F7FB;
        font-family: "Noto Sans", Roboto, "DejaVu Sans", Arial, sans-serif; color: #111111; }
      #peta-link-lost[hidden] { display: none; }
      #peta-link-lost.silent { background: rgba(245, 247, 251, 0.6); }
      #peta-link-lost .panel { background: #F5F7FB; padding-bottom: 4px; }
      #peta-link-lost.silent .panel { border-bottom: 1px solid #B26A00; box-shadow: 0 2px 8px rgba(0, 0, 0, 0.25); }
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
    cover.innerHTML = `<div class="panel"><div class="bar"><svg viewBox="0 0 24 24" aria-hidden="true"><path fill="#111111"
      d="M21 11l2-2c-3.73-3.73-8.87-5.15-13.7-4.31l2.58 2.58c3.3-.02 6.61 1.22 9.12 3.73zm-2 2a9.895 9.895 0
      0 0-3.72-2.33l3.02 3.02.7-.69zM9 17l3 3 3-3a4.237 4.237 0 0 0-6 0zM3.41 1.64L2 3.05 5.05 6.1C3.59 6.83
      2.22 7.79 1 9l2 2c1.23-1.23 2.65-2.16 4.17-2.78l2.24 2.24A9.823 9.823 0 0 0 5 13l2 2a6.999 6.999 0 0 1
      4.89-2.06l7.08 7.08 1.41-1.41L3.41 1.64z"/></svg><span></span></div><p></p><div class="spin"></div></div>`;
    cover.querySelector(".bar span").textContent = TITLE;
    cover.querySelector("p").textContent = BODY;
    document.body.appendChild(cover);
  }

  function render() {
    if (!document.body) {
      return;
    }
    if (cover === null) {
      if (!lost && !silent) {
        return;
      }
      build();
    }
    cover.querySelector(".bar span").textContent = lost ? TITLE : SILENT_TITLE;
    cover.querySelector("p").textContent = lost ? BODY : SILENT_BODY;
    cover.classList.toggle("silent", !lost);   // the stale screen shows through, dimmed, not usable
    cover.hidden = !(lost || silent);
  }

  function show(isLost) {
    lost = isLost;
    if (!isLost) {
      silent = false;             // the server spoke
    }
    render();
  }

  async function probe() {
    let again = PROBE_MS;
    if (heard && !document.hidden && navigator.onLine !== false) {
      const sent = performance.now();
      const asked = generation;
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), PROBE_MS);
      let answered = false;
      try {
        answered = (await fetch(PROBE_PATH, {cache: "no-store", signal: abort.signal})).ok;
      } catch (error) {
        answered = false;         // refused, timed out, offline
      }
      clearTimeout(timer);
      if (asked === generation) {   // not asked across a network change (a blip is not a hang)
        if (answered || lastHeard >= sent) {
          misses = 0;             // it answered, or spoke on the socket meanwhile
          silent = false;
        } else {
          misses += 1;
          silent = silent || misses >= 2;   // two questions in a row, the second asked at once
          again = misses === 1 ? 0 : PROBE_MS;
        }
        render();
      }
    }
    setTimeout(probe, again);     // one question at a time
  }

  function networkChanged() {
    generation += 1;
    misses = 0;
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
        lastHeard = performance.now();
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
  window.addEventListener("offline", () => {
    networkChanged();
    if (heard) {
      show(true);
    }
  });
  window.addEventListener("online", () => {
    networkChanged();
    if (current !== null && current.readyState === Native.OPEN) {
      show(false);                 // a short blip the socket lived through
    }
  });
  setTimeout(probe, PROBE_MS);
  window.petaLinkBanner = {title: TITLE, shown: () => cover !== null && !cover.hidden};
})();
