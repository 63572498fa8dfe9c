/* dllm-atlas site behaviour: sortable tables, the explorer, the map and entry neighbourhoods. No
 * request beyond the site's own explorer.json and drawings (maps/), no dependencies besides the
 * vendored tablesort. Material's instant navigation swaps pages without reloading, so everything
 * (re)initialises on each `document$` emission.
 *
 * The explorer's whole view is its URL's query (parseState/queryOf): filters, included and
 * excluded topics, sort, view, selection. Every change writes the URL (a history entry per change,
 * so back and forward step through them) and renders; a popstate renders the URL it restores. */
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

  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  /* Sort orders, keyed by the value of the `sort` parameter; the select lists them in this order.
   * To sort by another field (stars, last activity): add it to each record in
   * site.explorer_data, then a row here, e.g.
   *   { key: "stars", label: "most stars", compare: function (a, b) { return (b.stars || 0) - (a.stars || 0) || byDate(a, b); } } */
  function byDate(a, b) { return cmp(b.iso, a.iso) || cmp(a.id, b.id); }
  function byFigure(key) {
    return function (a, b) {
      var x = a[key], y = b[key];
      if (x === y) return byDate(a, b);
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      return x < y ? 1 : -1;
    };
  }

  var SORTS = [
    { key: "date", label: "newest first", compare: byDate },
    { key: "oldest", label: "oldest first", compare: function (a, b) { return cmp(a.iso, b.iso) || cmp(a.id, b.id); } },
    { key: "title", label: "title, A to Z", compare: function (a, b) { return cmp(a.sortTitle, b.sortTitle) || byDate(a, b); } },
    // From data/activity.json (dllm-atlas enrich): highest first, entries without the figure last.
    { key: "stars", label: "most stars", compare: byFigure("stars") },
    { key: "pushed", label: "latest code activity", compare: byFigure("pushed") }
  ];
  var SORT_OF = {};
  SORTS.forEach(function (s) { SORT_OF[s.key] = s; });

  // The text filter is "text", never "q": Material's search reads ?q= and would open its overlay.
  var SINGLE = ["area", "kind", "year", "venue", "author", "text", "match", "sort", "view"];
  var FLAGS = ["code", "weights", "only"];
  var LISTS = ["topic", "xtopic", "sel"];  // comma-separated in the URL
  var DEFAULTS = { match: "any", sort: "date", view: "list" };
  var BATCH = 20;        // cards rendered at once (a few screens); more as the reader scrolls
  var GROUP_FIRST = 3;   // cards shown per topic in the grouped view before "show more"
  var GROUPS_NOW = 2;    // topics whose cards are drawn at once; the others' as they scroll near
  var TYPING_DELAY = 150;

  function parseState(search) {
    var params = new URLSearchParams(search);
    var state = {};
    SINGLE.forEach(function (name) { state[name] = (params.get(name) || "").trim() || DEFAULTS[name] || ""; });
    if (!SORT_OF[state.sort]) state.sort = DEFAULTS.sort;
    if (state.match !== "all") state.match = "any";
    if (state.view !== "topics") state.view = "list";
    FLAGS.forEach(function (name) { state[name] = params.get(name) === "1"; });
    LISTS.forEach(function (name) {
      var seen = {};
      state[name] = (params.get(name) || "").split(",").filter(function (v) {
        v = v.trim();
        if (!v || seen[v]) return false;
        seen[v] = true;
        return true;
      });
    });
    return state;
  }

  function queryOf(state) {
    var params = new URLSearchParams();
    SINGLE.forEach(function (name) { if (state[name] && state[name] !== DEFAULTS[name]) params.set(name, state[name]); });
    FLAGS.forEach(function (name) { if (state[name]) params.set(name, "1"); });
    LISTS.forEach(function (name) { if (state[name].length) params.set(name, state[name].join(",")); });
    return params.toString().replace(/%2C/g, ",");
  }

  function normaliseName(text) { return text.normalize("NFC").split(/\s+/).filter(Boolean).join(" "); }

  function matcher(state, authorKeys) {
    var include = state.topic, exclude = state.xtopic, all = state.match === "all";
    var words = state.text.toLowerCase().split(/\s+/).filter(Boolean);
    var author = normaliseName(state.author).toLowerCase();
    var selected = {};
    state.sel.forEach(function (id) { selected[id] = true; });
    return function (e) {
      if (state.only && !selected[e.id]) return false;
      if (state.area && e.areas.indexOf(state.area) < 0) return false;
      if (state.kind && e.kind !== state.kind) return false;
      if (state.year && e.year !== state.year) return false;
      if (state.venue && (state.venue === "-" ? e.venue !== "" : e.venue !== state.venue)) return false;
      if (state.code && !e.code) return false;
      if (state.weights && !e.weights) return false;
      var i;
      for (i = 0; i < exclude.length; i++) if (e.topics.indexOf(exclude[i]) >= 0) return false;
      if (include.length) {
        var hits = 0;
        for (i = 0; i < include.length; i++) if (e.topics.indexOf(include[i]) >= 0) hits++;
        if (all ? hits < include.length : hits === 0) return false;
      }
      if (author) {
        var found = false;
        for (i = 0; i < e.authors.length && !found; i++) found = authorKeys[e.authors[i]] === author;
        if (!found) return false;
      }
      if (words.length) {
        var hay = searchText(e);
        for (i = 0; i < words.length; i++) if (hay.indexOf(words[i]) < 0) return false;
      }
      return true;
    };
  }

  /* Exports of the selection, escaped for each format the way the site's own outputs are
   * (dllm_atlas.render: bibtex, bibtex_name, bibtex_url, md, md_url). */
  function flat(text) { return String(text).split(/\s+/).filter(Boolean).join(" "); }
  var BIBTEX_ESCAPES = {
    "\\": "\\textbackslash{}", "{": "\\textbraceleft{}", "}": "\\textbraceright{}", "&": "\\&", "%": "\\%",
    "$": "\\$", "#": "\\#", "_": "\\_", "~": "\\textasciitilde{}", "^": "\\textasciicircum{}"
  };
  function bibtex(text) { return flat(text).replace(/[\\{}&%$#_~^]/g, function (c) { return BIBTEX_ESCAPES[c]; }); }
  function bibtexName(name) { var t = bibtex(name); return /\band\b/i.test(t) ? "{" + t + "}" : t; }
  function bibtexUrl(url) { return String(url).replace(/[{}\\]/g, function (c) { return { "{": "%7B", "}": "%7D", "\\": "%5C" }[c]; }); }
  var MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

  function toBibtex(entries) {
    return entries.map(function (e) {
      var lines = ["@" + e.cite + "{" + e.id + ",", "  title = {{" + bibtex(e.title) + "}},"];
      if (e.names.length) lines.push("  author = {" + e.names.map(bibtexName).join(" and ") + "},");
      if (e.cite === "inproceedings") lines.push("  booktitle = {" + bibtex(e.venue) + "},");
      else if (e.cite === "article") lines.push("  journal = {" + bibtex(e.venue) + "},");
      lines.push("  year = {" + e.year + "},", "  month = " + MONTHS[Number(e.iso.slice(5, 7)) - 1] + ",");
      if (e.arxiv) lines.push("  eprint = {" + e.arxiv + "},", "  archivePrefix = {arXiv},");
      if (e.link) lines.push("  url = {" + bibtexUrl(e.link) + "},");
      lines.push("}");
      return lines.join("\n");
    }).join("\n\n") + "\n";
  }

  var MD_ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "&#124;", "~": "&#126;", "$": "&#36;" };
  function md(text) {
    var out = flat(text).replace(/[\\`*_\[\]#{}<>|~$]|&(?=#?\w+;)/g, function (c) { return MD_ESCAPES[c] || "\\" + c; });
    // No autolinks: a word joiner splits "https:", "www." and e-mail addresses (as render.md does).
    out = out.replace(/\b(https?)(?=:)|\b(www)(?=\.)|([\w.+-])(@)(?=[\w-]+\.)/gi, function (m, scheme, www, before, at) {
      return at ? before + at + "\u2060" : m + "\u2060";
    });
    return out.replace(/^(\d+)([.)])(?=\s)/, "$1\\$2").replace(/^([-+])(?=\s)/, "\\$1");
  }
  function mdUrl(url) {
    return String(url).replace(/[()<> \\"]/g, function (c) { return { "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", " ": "%20", "\\": "%5C", "\"": "%22" }[c]; });
  }

  function toMarkdown(entries) {
    var rows = ["| Entry | Authors | Date | Venue | Link |", "|---|---|---|---|---|"];
    entries.forEach(function (e) {
      rows.push("| [" + md(e.heading) + "](" + mdUrl(e.url) + ") | " + md(e.names.join(", ")) + " | " + e.date +
        " | " + md(e.venue) + " | " + (e.link ? "[link](" + mdUrl(e.link) + ")" : "") + " |");
    });
    return rows.join("\n") + "\n";
  }

  // A cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) starts with a quote.
  function csvCell(value) {
    var text = String(value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return "\"" + text.replace(/"/g, "\"\"") + "\"";
  }
  function toCsv(entries) {
    var rows = [["id", "title", "authors", "date", "kind", "venue", "topics", "arxiv", "link", "page"]];
    entries.forEach(function (e) {
      rows.push([e.id, e.title, e.names.join("; "), e.iso, e.kind, e.venue, e.topics.join("; "), e.arxiv, e.link, e.url]);
    });
    // The byte-order mark makes spreadsheet programs read the file as UTF-8.
    return "\ufeff" + rows.map(function (row) { return row.map(csvCell).join(","); }).join("\r\n") + "\r\n";
  }

  var EXPORTS = {
    bibtex: { render: toBibtex, file: "dllm-atlas-selection.bib", type: "application/x-bibtex" },
    markdown: { render: toMarkdown, file: "dllm-atlas-selection.md", type: "text/markdown" },
    csv: { render: toCsv, file: "dllm-atlas-selection.csv", type: "text/csv" }
  };

  function download(text, file, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type + ";charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = file;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text; // text only: entry data is never parsed as HTML
    return node;
  }

  // One card, cloned for every result (cheaper than building each from scratch).
  var CARD = (function () {
    var card = el("div", "atlas-card atlas-result");
    var pick = el("label", "atlas-pick");
    var box = el("input");
    box.type = "checkbox";
    pick.appendChild(box);
    card.appendChild(pick);
    card.appendChild(el("a", "atlas-title"));
    card.appendChild(el("div", "atlas-meta"));
    card.appendChild(el("p", "atlas-summary"));
    return card;
  })();

  function card(e, selected, dataUrl) {
    cardText(e, dataUrl);
    var node = CARD.cloneNode(true);
    node.dataset.id = e.id;
    var box = node.firstChild.firstChild;
    box.checked = !!selected[e.id];
    box.value = e.id;
    box.setAttribute("aria-label", "Select " + e.heading);
    var title = node.childNodes[1];
    title.textContent = e.heading;
    title.href = e.url;
    node.childNodes[2].textContent = e.meta;
    if (e.summary) node.childNodes[3].textContent = e.summary;
    else node.removeChild(node.childNodes[3]);
    return node;
  }

  /* Cards for `items` into `container`, `first` at once, then BATCH more per "show more" (pressed,
   * or scrolled into view). */
  function fill(container, items, first, selected, dataUrl) {
    var done = 0;
    var more = null;
    function step(count) {
      var fragment = document.createDocumentFragment();
      var end = Math.min(items.length, done + count);
      for (; done < end; done++) fragment.appendChild(card(items[done], selected, dataUrl));
      if (more) more.remove();
      container.appendChild(fragment);
      if (done < items.length) {
        more = el("button", "atlas-more", "Show " + Math.min(BATCH, items.length - done) + " more (" + (items.length - done) + " left)");
        more.type = "button";
        more.addEventListener("click", function () {
          var next = done;
          step(BATCH);
          var focus = container.querySelectorAll(".atlas-result a.atlas-title")[next];
          if (focus) focus.focus();
        });
        container.appendChild(more);
        if (observer) observer.observe(more);
      } else more = null;
    }
    var observer = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver(function (seen) {
      if (seen.some(function (s) { return s.isIntersecting; }) && more) { observer.unobserve(more); step(BATCH); }
    }, { rootMargin: "400px" });
    step(first);
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

  // Each record names its topics; a topic's area is on its button, an entry's page under the site
  // root next to the data file. Only what filtering and sorting need is computed here, in place;
  // a card's text (meta, URL) when the card is first drawn, the search text on the first search.
  function prepare(data, topicButtons) {
    var areaOf = {};
    topicButtons.forEach(function (b) { areaOf[b.dataset.topic] = b.dataset.area; });
    var names = data.authors;
    var entries = data.entries;
    for (var n = 0; n < entries.length; n++) {
      var e = entries[n];
      for (var key in OMITTED) if (e[key] === undefined) e[key] = OMITTED[key];
      e.areas = [];
      for (var t = 0; t < e.topics.length; t++) {
        var area = areaOf[e.topics[t]];
        if (area && e.areas.indexOf(area) < 0) e.areas.push(area);
      }
      e.year = e.iso.slice(0, 4);
      e.names = e.authors.map(function (i) { return names[i]; });
      e.heading = (e.short && e.title.indexOf(e.short) < 0 ? e.short + ": " : "") + e.title;
      e.sortTitle = e.title.toLowerCase();
    }
    return entries;
  }

  // Fields explorer.json leaves out when they hold their default (site.explorer_data).
  var OMITTED = { short: "", code: false, weights: false, venue: "", cite: "misc", arxiv: "", link: "", summary: "" };

  function searchText(e) {
    if (e.hay === undefined) e.hay = [e.title, e.short, e.names.join(" "), e.summary, e.venue].join(" ").toLowerCase();
    return e.hay;
  }

  function cardText(e, dataUrl) {
    if (e.url === undefined) {
      e.url = new URL("entries/" + encodeURIComponent(e.id) + "/", dataUrl).href;
      e.meta = e.date + " · " + e.kind + (e.venue ? " · " + e.venue : "") +
        (e.names.length ? " · " + e.names.slice(0, 3).join(", ") + (e.names.length > 3 ? " et al." : "") : "") +
        (e.code ? " · code" : "") + (e.weights ? " · open weights" : "") +
        (typeof e.stars === "number" ? " · " + e.stars + " stars" : "");
    }
    return e;
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

  var TOPIC_STATES = { "": ["include", "true", ""], include: ["exclude", "mixed", " (included)"], exclude: ["", "false", " (excluded)"] };

  function setTopic(button, value) {
    button.dataset.state = value;
    // aria-pressed: true = included, mixed = excluded; the label says which in words too.
    button.setAttribute("aria-pressed", value === "include" ? "true" : value === "exclude" ? "mixed" : "false");
    button.setAttribute("aria-label", button.textContent + (value === "include" ? ": included" : value === "exclude" ? ": excluded" : ""));
  }

  /* The topic buttons are one tab stop; arrow keys, Home and End move between them (a roving
   * tabindex), Space or Enter cycles the focused one. */
  function rove(buttons) {
    buttons.forEach(function (b, n) { b.tabIndex = n === 0 ? 0 : -1; });
    buttons.forEach(function (b, n) {
      b.addEventListener("keydown", function (event) {
        var to = { ArrowRight: n + 1, ArrowDown: n + 1, ArrowLeft: n - 1, ArrowUp: n - 1, Home: 0, End: buttons.length - 1 }[event.key];
        if (to === undefined) return;
        event.preventDefault();
        to = (to + buttons.length) % buttons.length;
        b.tabIndex = -1;
        buttons[to].tabIndex = 0;
        buttons[to].focus();
      });
      b.addEventListener("focus", function () {
        buttons.forEach(function (other) { other.tabIndex = other === b ? 0 : -1; });
      });
    });
  }

  function writeForm(form, buttons, state) {
    SINGLE.forEach(function (name) {
      var control = form.elements[name];
      if (!control) return;
      if (control.tagName === "SELECT") {
        var known = Array.prototype.some.call(control.options, function (o) { return o.value === state[name]; });
        control.value = known ? state[name] : (DEFAULTS[name] || "");
      } else if (control.length !== undefined && !control.tagName) {
        Array.prototype.forEach.call(control, function (radio) { radio.checked = radio.value === state[name]; });
      } else control.value = state[name];
    });
    FLAGS.forEach(function (name) { form.elements[name].checked = state[name]; });
    buttons.forEach(function (b) {
      var t = b.dataset.topic;
      setTopic(b, state.topic.indexOf(t) >= 0 ? "include" : state.xtopic.indexOf(t) >= 0 ? "exclude" : "");
    });
  }

  function readForm(form, buttons, selection) {
    var state = {};
    SINGLE.forEach(function (name) {
      var control = form.elements[name];
      state[name] = control ? String(control.value || "").trim() : "";
      if (!state[name] && DEFAULTS[name]) state[name] = DEFAULTS[name];
    });
    FLAGS.forEach(function (name) { state[name] = form.elements[name].checked; });
    state.topic = buttons.filter(function (b) { return b.dataset.state === "include"; }).map(function (b) { return b.dataset.topic; });
    state.xtopic = buttons.filter(function (b) { return b.dataset.state === "exclude"; }).map(function (b) { return b.dataset.topic; });
    state.sel = selection.slice();
    return state;
  }

  function initExplorer() {
    var form = document.getElementById("atlas-explorer");
    if (!form || !form.dataset.src || form.dataset.atlasReady) return;
    form.dataset.atlasReady = "1";
    var results = document.getElementById("atlas-results");
    var count = document.getElementById("atlas-count");
    var bar = document.getElementById("atlas-selection");
    var buttons = Array.prototype.slice.call(form.querySelectorAll("button.atlas-topic"));
    var dataUrl = new URL(form.dataset.src, window.location.href).href;
    SORTS.forEach(function (s) { form.elements.sort.appendChild(new Option(s.label, s.key)); });
    var params = new URLSearchParams(window.location.search);
    var legacy = params.get("q");  // links shared before the filter had a parameter of its own
    if (legacy !== null) {
      if (!params.has("text")) params.set("text", legacy);
      params.delete("q");
      var toggle = document.getElementById("__search");
      if (toggle && toggle.checked) toggle.click();  // close the search overlay that ?q= opened
    }
    var state = parseState(params.toString());
    var selection = state.sel;
    writeForm(form, buttons, state);
    rove(buttons);
    form.addEventListener("submit", function (event) { event.preventDefault(); });

    load(dataUrl).then(function (data) {
      var entries = prepare(data, buttons);
      var byId = {};
      entries.forEach(function (e) { byId[e.id] = e; });
      var authorKeys = data.authors.map(function (n) { return n.toLowerCase(); });
      var names = document.getElementById("atlas-author-names");
      if (names && !names.firstChild) {
        var fragment = document.createDocumentFragment();
        data.authors.forEach(function (n) { fragment.appendChild(new Option(n)); });
        names.appendChild(fragment);
      }
      selection = selection.filter(function (id) { return byId[id]; });
      var topicNames = buttons.map(function (b) { return [b.dataset.topic, b.textContent]; });

      var groupWatch = null;
      function render() {
        var chosen = {};
        selection.forEach(function (id) { chosen[id] = true; });
        var shown = entries.filter(matcher(state, authorKeys)).sort(SORT_OF[state.sort].compare);
        count.textContent = shown.length + " of " + entries.length + " entries" +
          (state.view === "topics" ? ", grouped by topic (an entry is listed under each of its topics)" : "");
        results.replaceChildren();
        if (groupWatch) groupWatch.disconnect();
        groupWatch = null;
        if (state.view === "topics") {
          // Every group's heading at once; the cards of groups past the first few when they come near.
          groupWatch = typeof IntersectionObserver === "undefined" ? null : new IntersectionObserver(function (seen) {
            seen.forEach(function (s) { if (s.isIntersecting) { groupWatch.unobserve(s.target); s.target.atlasFill(); } });
          }, { rootMargin: "600px" });
          var drawn = 0;
          topicNames.forEach(function (pair) {
            var members = shown.filter(function (e) { return e.topics.indexOf(pair[0]) >= 0; });
            if (!members.length) return;
            var section = el("section", "atlas-group atlas-group-pending");
            section.dataset.topic = pair[0];
            section.appendChild(el("h2", "atlas-group-title", pair[1] + " (" + members.length + ")"));
            section.atlasFill = function () {
              section.classList.remove("atlas-group-pending");
              fill(section, members, GROUP_FIRST, chosen, dataUrl);
            };
            results.appendChild(section);
            if (drawn++ < GROUPS_NOW || !groupWatch) section.atlasFill();
            else groupWatch.observe(section);
          });
        } else fill(results, shown, BATCH, chosen, dataUrl);
        renderBar();
      }

      function renderBar() {
        var n = selection.length;
        bar.querySelector(".atlas-selection-count").textContent = n
          ? n + " entr" + (n === 1 ? "y" : "ies") + " selected"
          : "No entries selected: tick an entry to select it.";
        ["share", "bibtex", "markdown", "csv", "clear"].forEach(function (name) { bar.querySelector("button[name=" + name + "]").disabled = !n; });
        if (!n) bar.querySelector("input[name=link]").hidden = true;
      }

      var typing = false;
      function commit(how) {
        state = readForm(form, buttons, selection);
        var query = queryOf(state);
        var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
        if (url !== window.location.pathname + window.location.search + window.location.hash) {
          // Typing replaces its own entry, so back goes to the view before the text, not letter by letter.
          if (how === "load") window.history.replaceState(window.history.state, "", url);
          else if (how === "type" && typing) window.history.replaceState(null, "", url);
          else window.history.pushState(null, "", url);
        }
        typing = how === "type";
        render();
      }

      var timer = null;
      form.addEventListener("input", function (event) {
        if (event.target.type !== "search") return;
        clearTimeout(timer);
        timer = setTimeout(function () { commit("type"); }, TYPING_DELAY);
      });
      form.addEventListener("change", function (event) {
        if (event.target.type === "search") { clearTimeout(timer); commit("type"); }
        else commit("pick");
      });
      buttons.forEach(function (b) {
        b.addEventListener("click", function () {
          setTopic(b, TOPIC_STATES[b.dataset.state || ""][0]);
          commit("pick");
        });
      });
      form.elements.reset.addEventListener("click", function () {
        writeForm(form, buttons, parseState(""));
        commit("pick");
      });
      results.addEventListener("change", function (event) {
        var box = event.target;
        if (box.type !== "checkbox" || !box.value) return;
        var at = selection.indexOf(box.value);
        if (box.checked && at < 0) selection.push(box.value);
        if (!box.checked && at >= 0) selection.splice(at, 1);
        state = readForm(form, buttons, selection);
        var query = queryOf(state);
        window.history.pushState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
        typing = false;
        renderBar();
      });
      function picked() {
        // In the catalog's order (newest first), whatever order they were ticked in.
        var chosen = {};
        selection.forEach(function (id) { chosen[id] = true; });
        return entries.filter(function (e) { return chosen[e.id]; }).map(function (e) { return cardText(e, dataUrl); });
      }
      Object.keys(EXPORTS).forEach(function (name) {
        bar.querySelector("button[name=" + name + "]").addEventListener("click", function () {
          var format = EXPORTS[name];
          download(format.render(picked()), format.file, format.type);
        });
      });
      bar.querySelector("button[name=share]").addEventListener("click", function () {
        var link = new URL(window.location.pathname, window.location.href);
        link.search = queryOf(Object.assign(parseState(""), { sel: selection, only: true }));
        var field = bar.querySelector("input[name=link]");
        field.value = link.href;
        field.hidden = false;
        field.select();
        var label = bar.querySelector(".atlas-selection-count");
        var said = selection.length + " selected: ";
        if (navigator.clipboard && navigator.clipboard.writeText) {
          navigator.clipboard.writeText(link.href).then(function () { label.textContent = said + "link copied"; },
            function () { label.textContent = said + "copy the link beside"; });
        } else label.textContent = said + "copy the link beside";
      });
      bar.querySelector("button[name=clear]").addEventListener("click", function () {
        selection = [];
        commit("pick");
      });
      window.addEventListener("popstate", function onPop() {
        if (!document.body.contains(form)) { window.removeEventListener("popstate", onPop); return; }
        state = parseState(window.location.search);
        selection = state.sel.filter(function (id) { return byId[id]; });
        writeForm(form, buttons, state);
        typing = false;
        render();
      });
      commit("load");  // renders, and writes the URL back (an old ?q= link becomes ?text=)
      results.dataset.ready = "1";
      if (window.performance && performance.mark) performance.mark("atlas-explorer-ready");
      // The search text of every entry, while the reader looks at the first view: the first search is then quick too.
      (window.requestIdleCallback || function (task) { return setTimeout(task, 200); })(function () { entries.forEach(searchText); });
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
