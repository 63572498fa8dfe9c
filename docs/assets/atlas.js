/* dllm-atlas site behaviour: sortable tables, the explorer, the map and entry neighbourhoods. No
 * request beyond the site's own explorer.json and drawings (maps/), no dependencies besides the
 * vendored tablesort. Material's instant navigation swaps pages without reloading,
 * so everything (re)initialises on each `document$` emission. */
(function () {
  "use strict";

  function initTables() {
    if (typeof Tablesort === "undefined") return;
    document.querySelectorAll("table.atlas-sortable").forEach(function (table) {
      if (!table.dataset.atlasSorted) {
        table.dataset.atlasSorted = "1";
        new Tablesort(table);
      }
    });
  }

  // The text filter is "text", never "q": Material's search reads ?q= and would open its overlay.
  var FIELDS = ["area", "topic", "kind", "year", "code", "text", "sort"];

  function readState(form) {
    var state = {};
    FIELDS.forEach(function (name) {
      var el = form.elements[name];
      if (el.type === "checkbox") { if (el.checked) state[name] = "1"; }
      else if (el.value) state[name] = el.value.trim();
    });
    return state;
  }

  function writeState(form, params) {
    FIELDS.forEach(function (name) {
      var el = form.elements[name];
      var value = params.get(name) || "";
      if (el.type === "checkbox") el.checked = value === "1";
      else if (el.tagName === "SELECT") {
        el.value = Array.prototype.some.call(el.options, function (o) { return o.value === value; }) ? value : "";
      } else el.value = value;
    });
  }

  function matches(entry, state) {
    if (state.area && entry.areas.indexOf(state.area) < 0) return false;
    if (state.topic && entry.topics.indexOf(state.topic) < 0) return false;
    if (state.kind && entry.kind !== state.kind) return false;
    if (state.year && String(entry.year) !== state.year) return false;
    if (state.code && !entry.code) return false;
    if (state.text) {
      var hay = (entry.title + " " + entry.short + " " + entry.authors.join(" ") + " " + entry.summary).toLowerCase();
      var words = state.text.toLowerCase().split(/\s+/);
      for (var i = 0; i < words.length; i++) if (words[i] && hay.indexOf(words[i]) < 0) return false;
    }
    return true;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text; // text only: entry data is never parsed as HTML
    return node;
  }

  function render(results, count, entries, state) {
    var shown = entries.filter(function (e) { return matches(e, state); });
    // "stars" or "pushed" (data/activity.json): highest first, entries without the figure last.
    var key = state.sort === "stars" || state.sort === "pushed" ? state.sort : null;
    if (key) shown.sort(function (a, b) {
      var x = a[key], y = b[key];
      if (x === y) return 0;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return x < y ? 1 : -1;
    });
    count.textContent = shown.length + " of " + entries.length + " entries";
    results.replaceChildren();
    shown.forEach(function (e) {
      var card = el("div", "atlas-card atlas-result");
      card.dataset.id = e.id;
      var title = el("a", "atlas-title", (e.short && e.title.indexOf(e.short) < 0 ? e.short + ": " : "") + e.title);
      title.href = e.url;
      card.appendChild(title);
      var meta = e.date + " · " + e.kind + (e.authors.length ? " · " + e.authors.slice(0, 3).join(", ") + (e.authors.length > 3 ? " et al." : "") : "") + (e.code ? " · code" : "") + (typeof e.stars === "number" ? " · " + e.stars + " stars" : "");
      card.appendChild(el("div", "atlas-meta", meta));
      if (e.summary) card.appendChild(el("p", "atlas-summary", e.summary));
      results.appendChild(card);
    });
  }

  // The explorer's data, fetched once per data URL and kept while Material's instant navigation
  // swaps pages (the browser's HTTP cache keeps it across visits; the URL changes with the data).
  var loads = {};

  function load(url) {
    if (!loads[url]) {
      loads[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      loads[url].catch(function () { delete loads[url]; });  // a later visit tries again
    }
    return loads[url];
  }

  // Each record names its topics; a topic's area is on its <option>, an entry's page under the site
  // root next to the data file.
  function prepare(records, form, dataUrl) {
    var areaOf = {};
    Array.prototype.forEach.call(form.elements.topic.options, function (o) {
      if (o.value) areaOf[o.value] = o.dataset.area;
    });
    return records.map(function (record) {
      var entry = Object.assign({}, record);
      entry.areas = [];
      entry.topics.forEach(function (t) {
        if (areaOf[t] && entry.areas.indexOf(areaOf[t]) < 0) entry.areas.push(areaOf[t]);
      });
      entry.url = new URL("entries/" + encodeURIComponent(entry.id) + "/", dataUrl).href;
      return entry;
    });
  }

  function failed(count, error) {
    count.replaceChildren();
    count.classList.add("atlas-error");
    count.setAttribute("role", "alert");
    count.appendChild(document.createTextNode("The list of entries could not be loaded (" + error.message + "). Reload the page to try again, or browse the "));
    var timeline = el("a", "", "timeline");
    timeline.href = new URL("../timeline/", window.location.href).href;
    count.appendChild(timeline);
    count.appendChild(document.createTextNode(", which lists every entry."));
  }

  function initExplorer() {
    var form = document.getElementById("atlas-explorer");
    if (!form || !form.dataset.src || form.dataset.atlasReady) return;
    form.dataset.atlasReady = "1";
    var results = document.getElementById("atlas-results");
    var count = document.getElementById("atlas-count");
    var dataUrl = new URL(form.dataset.src, window.location.href).href;
    var params = new URLSearchParams(window.location.search);
    var legacy = params.get("q");  // links shared before the filter had a parameter of its own
    if (legacy !== null) {
      if (!params.has("text")) params.set("text", legacy);
      params.delete("q");
      var toggle = document.getElementById("__search");
      if (toggle && toggle.checked) toggle.click();  // close the search overlay that ?q= opened
    }
    writeState(form, params);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    load(dataUrl).then(function (records) {
      var entries = prepare(records, form, dataUrl);
      function update() {
        var state = readState(form);
        var query = new URLSearchParams(state).toString();
        var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
        window.history.replaceState(window.history.state, "", url);
        render(results, count, entries, state);
      }
      form.addEventListener("input", update);
      form.addEventListener("change", update);
      form.elements.reset.addEventListener("click", function () {
        writeState(form, new URLSearchParams(""));
        update();
      });
      update();  // renders, and writes the URL back (an old ?q= link becomes ?text=)
    }, function (error) { failed(count, error); });
  }

  // The drawings are SVG files made at build time (dllm_atlas.graph); a page fetches its own and
  // puts it inline, so its links, focus and colours are the page's. Parsed as XML (DOMParser),
  // never as HTML: the files hold no script and every text in them is escaped.
  var drawings = {};

  function loadSvg(url) {
    if (!drawings[url]) {
      drawings[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      }).then(function (text) {
        var svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
        if (svg.nodeName !== "svg") throw new Error("not an SVG drawing");
        return svg;
      });
      drawings[url].catch(function () { delete drawings[url]; });
    }
    return drawings[url].then(function (svg) { return document.importNode(svg, true); });
  }

  function initHood() {
    var box = document.querySelector(".atlas-hood[data-src]");
    if (!box || box.dataset.atlasReady) return;
    box.dataset.atlasReady = "1";
    loadSvg(new URL(box.dataset.src, window.location.href).href).then(function (svg) {
      box.replaceChildren(svg);
    }, function () { box.remove(); });  // the relation lists above say the same
  }

  var ZOOMS = [0.25, 0.35, 0.5, 0.7, 1, 1.4, 2];

  function initMap() {
    var box = document.getElementById("atlas-map");
    var form = document.getElementById("atlas-map-controls");
    if (!box || !form || box.dataset.atlasReady) return;
    box.dataset.atlasReady = "1";
    var status = document.getElementById("atlas-map-status");
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    loadSvg(new URL(box.dataset.src, window.location.href).href).then(function (svg) {
      box.replaceChildren(svg);
      var width = Number(svg.getAttribute("width")), height = Number(svg.getAttribute("height"));
      var nodes = Array.prototype.slice.call(svg.querySelectorAll("a[data-id]"));
      var edges = Array.prototype.slice.call(svg.querySelectorAll("line[data-e]"));
      var areaOf = {};
      Array.prototype.forEach.call(form.elements.topic.options, function (o) {
        if (o.value) areaOf[o.value] = o.dataset.area;
      });
      var zoom = ZOOMS.indexOf(1);
      function fit() {  // the widest zoom that shows the whole height of the map's box, at least the smallest
        var best = 0;
        ZOOMS.forEach(function (z, n) { if (width * z <= box.clientWidth || n === 0) best = n; });
        return best;
      }
      function setZoom(n) {
        zoom = Math.max(0, Math.min(ZOOMS.length - 1, n));
        svg.setAttribute("width", String(Math.round(width * ZOOMS[zoom])));
        svg.setAttribute("height", String(Math.round(height * ZOOMS[zoom])));
      }
      function filter() {
        var area = form.elements.area.value, topic = form.elements.topic.value, shown = {}, count = 0;
        nodes.forEach(function (node) {
          var topics = node.dataset.t.split(" ");
          var ok = (!topic || topics.indexOf(topic) >= 0) &&
            (!area || topics.some(function (t) { return areaOf[t] === area; }));
          node.style.display = ok ? "" : "none";
          if (ok) { shown[node.dataset.id] = true; count++; }
        });
        edges.forEach(function (edge) {
          var ends = edge.dataset.e.split(" ");
          edge.style.display = shown[ends[0]] && shown[ends[1]] ? "" : "none";
        });
        status.textContent = count + " of " + nodes.length + " entries shown" + (area || topic ? " (filtered)" : "") + ".";
        return shown;
      }
      var hits = [], hit = -1;
      function find(next) {
        var words = form.elements.find.value.trim().toLowerCase();
        hits.forEach(function (node) { node.classList.remove("hit"); });
        if (!words) { hits = []; filter(); return; }
        hits = nodes.filter(function (node) {
          return node.style.display !== "none" && node.getAttribute("aria-label").toLowerCase().indexOf(words) >= 0;
        });
        hits.forEach(function (node) { node.classList.add("hit"); });
        if (!hits.length) { status.textContent = "No entry shown matches “" + form.elements.find.value.trim() + "”."; return; }
        hit = next ? (hit + 1) % hits.length : 0;
        var target = hits[hit];
        target.focus({ preventScroll: true });
        var r = target.getBoundingClientRect(), b = box.getBoundingClientRect();
        box.scrollLeft += r.left - b.left - box.clientWidth / 2;
        box.scrollTop += r.top - b.top - box.clientHeight / 2;
        status.textContent = "Match " + (hit + 1) + " of " + hits.length + ": " + target.getAttribute("aria-label") + ". Enter for the next.";
      }
      form.elements.area.addEventListener("change", function () { filter(); find(false); });
      form.elements.topic.addEventListener("change", function () { filter(); find(false); });
      form.elements.find.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); find(hits.length > 0); }
      });
      form.elements.find.addEventListener("search", function () { find(false); });
      form.elements["in"].addEventListener("click", function () { setZoom(zoom + 1); });
      form.elements.out.addEventListener("click", function () { setZoom(zoom - 1); });
      form.elements.fit.addEventListener("click", function () { setZoom(fit()); });
      box.addEventListener("keydown", function (event) {
        if (event.key === "+" || event.key === "=") { setZoom(zoom + 1); event.preventDefault(); }
        else if (event.key === "-") { setZoom(zoom - 1); event.preventDefault(); }
      });
      setZoom(zoom);
      box.scrollLeft = box.scrollWidth;  // the newest work first; the oldest is a scroll away
      filter();
    }, function (error) {
      status.classList.add("atlas-error");
      status.setAttribute("role", "alert");
      status.textContent = "The map could not be loaded (" + error.message + "). Reload the page to try again; the Areas and Lineages pages list the same entries.";
    });
  }

  function init() {
    initTables();
    initExplorer();
    initHood();
    initMap();
  }

  if (typeof document$ !== "undefined") document$.subscribe(init);
  else document.addEventListener("DOMContentLoaded", init);
})();
