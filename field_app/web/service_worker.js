// Peta Rawan offline app: a cache-first service worker, written by scripts/publish_web.py.
//
// It keeps the file name Flutter's loader registers (flutter_service_worker.js) so the loader does not
// replace it. Install is quick (nothing to fetch), so the page is controlled before it loads the big
// files: each file is fetched once, through one in-flight map shared by the page's requests and the
// background top-up that caches the rest of PRECACHE. Old versions' caches go once the new one is
// complete. Requests outside this folder (the API) never reach this worker.
"use strict";

const VERSION = "__VERSION__";
const CACHE = "peta-rawan-" + VERSION;
const PRECACHE = __PRECACHE__;
const LAZY = __LAZY__;            // one CanvasKit build per browser: cached when the browser asks for it
const SCOPE = new URL("./", self.location).href;
const inflight = new Map();
let topUp = null;

function keyOf(url) {
  const u = new URL(url);
  u.search = "";
  u.hash = "";
  return u.href;
}

async function fetchAndCache(key) {
  if (!inflight.has(key)) {
    const job = (async () => {
      const response = await fetch(key, { cache: "no-cache" });
      if (!response.ok) throw new Error(`${key}: HTTP ${response.status}`);
      const cache = await caches.open(CACHE);
      await cache.put(key, response);
    })().finally(() => inflight.delete(key));
    inflight.set(key, job);
  }
  return inflight.get(key);
}

async function cached(key) {
  const cache = await caches.open(CACHE);
  return cache.match(key);
}

async function serve(request) {
  const inScope = request.url.startsWith(SCOPE);
  const key = request.mode === "navigate" && inScope ? SCOPE + "index.html" : keyOf(request.url);
  let response = await cached(key);
  if (response) return response;
  try {
    await fetchAndCache(key);
    response = await cached(key);
    if (response) return response;
  } catch (error) {
    const old = await caches.match(key);        // an older version's copy beats nothing
    if (old) return old;
    throw error;
  }
  return fetch(request);
}

function ensureTopUp() {
  if (!topUp) {
    topUp = (async () => {
      const cache = await caches.open(CACHE);
      for (const rel of PRECACHE) {
        const key = SCOPE + rel;
        if (!(await cache.match(key))) {
          try { await fetchAndCache(key); } catch (error) { topUp = null; throw error; }
        }
      }
      for (const name of await caches.keys()) {
        if (name.startsWith("peta-rawan-") && name !== CACHE) await caches.delete(name);
      }
    })();
  }
  return topUp;
}

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || !request.url.startsWith(SCOPE)) return;
  if (request.url.startsWith(SCOPE + "offline-files.json")) return;     // always the server's list
  event.respondWith(serve(request));
  event.waitUntil(ensureTopUp().catch(() => undefined));
});

self.addEventListener("message", (event) => {
  if (event.data === "peta-rawan-status") {
    event.waitUntil((async () => {
      const cache = await caches.open(CACHE);
      const missing = [];
      for (const rel of PRECACHE) if (!(await cache.match(SCOPE + rel))) missing.push(rel);
      event.source.postMessage({ type: "peta-rawan-status", version: VERSION, missing });
    })());
  }
});
