/* armsgraph web: search suggestions and the partner graph.
   No libraries. Text from the server is only ever set with textContent, never parsed as HTML. */
(function () {
  "use strict";

  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }

  function css(value) {
    return String(value || "").toLowerCase().replace(/[^a-z0-9]/g, "-");
  }

  function label(value) {
    return String(value || "").replace(/_/g, " ");
  }

  function entityHref(id) {
    return "/entity/" + encodeURIComponent(id);
  }

  /* ------------------------------------------------------------ search suggestions */
  var suggestCount = 0;

  function setupSuggest(input) {
    var form = input.form;
    var combo = input.parentNode;
    var list = el("ul", "suggestions");
    var id = "suggestions-" + (++suggestCount);
    list.id = id;
    list.setAttribute("role", "listbox");
    list.hidden = true;
    combo.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", id);
    input.setAttribute("aria-expanded", "false");

    var timer = null;
    var pending = null;
    var active = -1;
    var lastQuery = "";

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll(".s-item"));
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      var items = options();
      items.forEach(function (item, i) { item.classList.toggle("active", i === index); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function snippet(text) {
      /* the server marks matched words with [ and ]: make them bold, as text nodes */
      var span = el("span", "s-snippet");
      String(text || "").split(/(\[[^\[\]]*\])/).forEach(function (part) {
        if (/^\[[^\[\]]*\]$/.test(part)) span.appendChild(el("b", null, part.slice(1, -1)));
        else if (part) span.appendChild(document.createTextNode(part));
      });
      return span;
    }

    function option(href, children) {
      var li = el("li", "s-item");
      li.id = id + "-" + list.children.length;
      li.setAttribute("role", "option");
      var a = el("a");
      a.href = href;
      a.tabIndex = -1;
      children.forEach(function (c) { a.appendChild(c); });
      li.appendChild(a);
      return li;
    }

    function render(data) {
      list.textContent = "";
      active = -1;
      var ents = data.entities || [];
      var hits = (data.evidence || []).slice(0, 4);
      if (ents.length) {
        list.appendChild(el("li", "s-head", "Entities")).setAttribute("role", "presentation");
        ents.forEach(function (e) {
          var dot = el("span", "dotmark et-" + css(e.type));
          var parts = [dot, el("span", "s-name", e.name)];
          if (e.matched && e.matched !== e.name) parts.push(el("span", "s-alias", "“" + e.matched + "”"));
          parts.push(el("span", "s-type", String(e.type || "").toLowerCase()));
          var li = option(entityHref(e.id), parts);
          li.dataset.kind = "entity";
          list.appendChild(li);
        });
      }
      if (hits.length) {
        list.appendChild(el("li", "s-head", "Sentences")).setAttribute("role", "presentation");
        hits.forEach(function (h) {
          var li = option("/fact/" + encodeURIComponent(h.fact_id),
            [el("span", "badge ft-" + css(h.type), label(h.type)), snippet(h.snippet || h.text)]);
          li.dataset.kind = "evidence";
          list.appendChild(li);
        });
      }
      if (!ents.length && !hits.length) {
        list.appendChild(el("li", "s-none", "Nothing found for “" + data.q + "”"));
      }
      open();
    }

    function fetchSuggestions() {
      var q = input.value.trim();
      if (q === lastQuery && !list.hidden) return;
      lastQuery = q;
      if (!q) { close(); return; }
      if (pending) pending.abort();
      pending = new AbortController();
      fetch("/api/search?limit=8&q=" + encodeURIComponent(q), {
        signal: pending.signal, headers: { Accept: "application/json" }
      }).then(function (r) {
        if (!r.ok) throw new Error("search failed: " + r.status);
        return r.json();
      }).then(function (data) {
        if (input.value.trim() === q) render(data);
      }).catch(function (err) {
        if (err && err.name === "AbortError") return;
        close();
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, 120);
    });
    input.addEventListener("focus", function () {
      if (input.value.trim() && list.children.length) open();
    });
    input.addEventListener("keydown", function (ev) {
      var items = options();
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        if (list.hidden) { fetchSuggestions(); return; }
        highlight(items.length ? (active + 1) % items.length : -1);
      } else if (ev.key === "ArrowUp") {
        ev.preventDefault();
        highlight(items.length ? (active - 1 + items.length) % items.length : -1);
      } else if (ev.key === "Enter") {
        if (!list.hidden && active >= 0 && items[active]) {
          ev.preventDefault();
          window.location.href = items[active].querySelector("a").href;
        }
      } else if (ev.key === "Escape") {
        close();
      }
    });
    /* keep focus in the input while a suggestion is clicked */
    list.addEventListener("mousedown", function (ev) { ev.preventDefault(); });
    document.addEventListener("click", function (ev) {
      if (!form.contains(ev.target)) close();
    });
  }

  /* ------------------------------------------------------------ partner graph */
  function drawGraph(box, data) {
    var nodes = data.nodes || [];
    var edges = data.edges || [];
    box.textContent = "";
    if (nodes.length < 2) {
      box.appendChild(el("p", "graph-status muted", "No partners: no fact names another entity."));
      return;
    }
    var W = box.clientWidth || 600;
    var H = box.clientHeight || 400;
    var root = svg("svg", { viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "Network of entities that share facts with " + nodes[0].name });
    var gEdges = svg("g", { "class": "edges" });
    var gNodes = svg("g", { "class": "nodes" });
    root.appendChild(gEdges);
    root.appendChild(gNodes);
    box.appendChild(root);

    var byId = {};
    var maxFacts = 1;
    nodes.forEach(function (n, i) {
      byId[n.id] = n;
      if (!n.centre) maxFacts = Math.max(maxFacts, n.facts || 1);
      n.index = i;
    });
    /* start on a circle around the centre, so the layout is the same on every load */
    var others = nodes.filter(function (n) { return !n.centre; });
    var R0 = Math.min(W, H) * 0.34;
    others.forEach(function (n, i) {
      var a = 2 * Math.PI * i / others.length;
      n.x = W / 2 + R0 * Math.cos(a);
      n.y = H / 2 + R0 * Math.sin(a);
      n.vx = 0; n.vy = 0;
    });
    nodes.forEach(function (n) {
      if (n.centre) { n.x = W / 2; n.y = H / 2; n.fixed = true; n.vx = 0; n.vy = 0; }
      n.r = n.centre ? 20 : 7 + 9 * Math.sqrt((n.facts || 1) / maxFacts);
    });
    var links = edges.filter(function (e) { return byId[e.source] && byId[e.target]; }).map(function (e) {
      return { s: byId[e.source], t: byId[e.target], facts: e.facts, types: e.fact_types || [] };
    });

    var L = Math.max(70, Math.min(W, H) * 0.36);

    /* keep every node and its label inside the box */
    nodes.forEach(function (n) { n.hw = Math.max(n.r, Math.min(26, n.name.length) * 3.4) + 6; });
    function clamp(n, x, y) {
      n.x = Math.max(n.hw, Math.min(W - n.hw, x));
      n.y = Math.max(n.r + 6, Math.min(H - n.r - 22, y));
    }

    function tick(alpha) {
      var i, j, a, b, dx, dy, d2, d, f;
      for (i = 0; i < nodes.length; i++) {
        a = nodes[i];
        for (j = i + 1; j < nodes.length; j++) {
          b = nodes[j];
          dx = b.x - a.x; dy = b.y - a.y;
          d2 = dx * dx + dy * dy;
          if (d2 < 0.01) { dx = (Math.random() - 0.5); dy = (Math.random() - 0.5); d2 = 0.5; }
          d = Math.sqrt(d2);
          f = alpha * 1000 / d2;
          var minGap = a.r + b.r + 26;
          if (d < minGap) f += alpha * (minGap - d) * 0.5 / d;
          a.vx -= dx * f; a.vy -= dy * f;
          b.vx += dx * f; b.vy += dy * f;
        }
      }
      links.forEach(function (l) {
        dx = l.t.x - l.s.x; dy = l.t.y - l.s.y;
        d = Math.sqrt(dx * dx + dy * dy) || 1;
        var len = (l.s.centre || l.t.centre) ? L : L * 0.8;
        f = alpha * 0.12 * (d - len) / d;
        l.s.vx += dx * f; l.s.vy += dy * f;
        l.t.vx -= dx * f; l.t.vy -= dy * f;
      });
      nodes.forEach(function (n) {
        if (n.fixed) { n.vx = 0; n.vy = 0; return; }
        n.vx += (W / 2 - n.x) * 0.01 * alpha;
        n.vy += (H / 2 - n.y) * 0.01 * alpha;
        n.vx *= 0.6; n.vy *= 0.6;
        if (bounded) clamp(n, n.x + n.vx, n.y + n.vy);
        else { n.x += n.vx; n.y += n.vy; }
      });
    }

    /* lay out freely, then stretch or shrink the picture to fill the box (labels included) */
    var bounded = false;
    for (var k = 0; k < 320; k++) tick(1 - k / 400);
    var sx = Infinity, sy = Infinity;
    nodes.forEach(function (n) {
      var dx = n.x - W / 2, dy = n.y - H / 2;
      if (Math.abs(dx) > 1) sx = Math.min(sx, (W / 2 - n.hw) / Math.abs(dx));
      if (Math.abs(dy) > 1) sy = Math.min(sy, (H / 2 - n.r - (dy > 0 ? 22 : 6)) / Math.abs(dy));
    });
    sx = Math.min(sx === Infinity ? 1 : sx, 1.6);
    sy = Math.min(sy === Infinity ? 1 : sy, 1.6);
    nodes.forEach(function (n) {
      clamp(n, W / 2 + (n.x - W / 2) * sx * 0.92, H / 2 + (n.y - H / 2) * sy * 0.92);
    });
    bounded = true;

    links.forEach(function (l) {
      l.line = svg("line", { "class": "edge", "stroke-width": String(Math.min(6, 1 + l.facts)) });
      var t = svg("title");
      t.textContent = l.s.name + " – " + l.t.name + ": " + l.facts + (l.facts === 1 ? " fact" : " facts") +
        (l.types.length ? " (" + l.types.map(label).join(", ") + ")" : "");
      l.line.appendChild(t);
      gEdges.appendChild(l.line);
    });
    nodes.forEach(function (n) {
      var g = svg("g", { "class": "node et-" + css(n.type) + (n.centre ? " centre" : ""), tabindex: "0",
        role: "link", "data-id": n.id });
      var title = svg("title");
      title.textContent = n.name + " (" + String(n.type || "").toLowerCase() + ")" +
        (n.centre ? "" : ": " + n.facts + (n.facts === 1 ? " shared fact" : " shared facts") +
          (n.fact_types && n.fact_types.length ? " — " + n.fact_types.map(label).join(", ") : ""));
      g.appendChild(title);
      g.appendChild(svg("circle", { r: String(n.r) }));
      var text = svg("text", { "text-anchor": "middle", dy: String(n.r + 14) });
      text.textContent = n.name.length > 26 ? n.name.slice(0, 25) + "…" : n.name;
      g.appendChild(text);
      gNodes.appendChild(g);
      n.g = g;
      g.addEventListener("keydown", function (ev) {
        if ((ev.key === "Enter" || ev.key === " ") && !n.centre) window.location.href = entityHref(n.id);
      });
    });

    function place() {
      links.forEach(function (l) {
        l.line.setAttribute("x1", l.s.x.toFixed(1)); l.line.setAttribute("y1", l.s.y.toFixed(1));
        l.line.setAttribute("x2", l.t.x.toFixed(1)); l.line.setAttribute("y2", l.t.y.toFixed(1));
      });
      nodes.forEach(function (n) {
        n.g.setAttribute("transform", "translate(" + n.x.toFixed(1) + "," + n.y.toFixed(1) + ")");
      });
    }
    place();

    /* hovering a node shows its own edges and neighbours */
    function focus(n) {
      if (!n) { root.classList.remove("focus"); return; }
      root.classList.add("focus");
      var near = {};
      near[n.id] = true;
      links.forEach(function (l) {
        var on = l.s === n || l.t === n;
        l.line.classList.toggle("hl", on);
        if (on) { near[l.s.id] = true; near[l.t.id] = true; }
      });
      nodes.forEach(function (m) { m.g.classList.toggle("hl", !!near[m.id]); });
    }

    /* drag: the node follows the pointer, the others settle around it; a click opens the entity */
    var drag = null;
    var frame = 0;

    function point(ev) {
      var m = root.getScreenCTM();
      if (!m) return { x: 0, y: 0 };
      var p = root.createSVGPoint();
      p.x = ev.clientX; p.y = ev.clientY;
      var q = p.matrixTransform(m.inverse());
      return { x: q.x, y: q.y };
    }

    function animate() {
      frame = 0;
      tick(0.3);
      place();
      if (drag) frame = window.requestAnimationFrame(animate);
    }

    nodes.forEach(function (n) {
      n.g.addEventListener("pointerenter", function () { if (!drag) focus(n); });
      n.g.addEventListener("pointerleave", function () { if (!drag) focus(null); });
      n.g.addEventListener("pointerdown", function (ev) {
        ev.preventDefault();
        var p = point(ev);
        drag = { node: n, dx: n.x - p.x, dy: n.y - p.y, startX: ev.clientX, startY: ev.clientY, moved: false,
          wasFixed: !!n.fixed };
        n.fixed = true;
        n.g.classList.add("dragging");
        n.g.setPointerCapture(ev.pointerId);
        if (!frame) frame = window.requestAnimationFrame(animate);
      });
      n.g.addEventListener("pointermove", function (ev) {
        if (!drag || drag.node !== n) return;
        if (Math.abs(ev.clientX - drag.startX) + Math.abs(ev.clientY - drag.startY) > 4) drag.moved = true;
        var p = point(ev);
        clamp(n, p.x + drag.dx, p.y + drag.dy);
        place();
      });
      function end(ev) {
        if (!drag || drag.node !== n) return;
        var clicked = !drag.moved;
        n.g.classList.remove("dragging");
        if (n.g.hasPointerCapture(ev.pointerId)) n.g.releasePointerCapture(ev.pointerId);
        drag = null;
        focus(null);
        if (clicked && !n.centre) window.location.href = entityHref(n.id);
      }
      n.g.addEventListener("pointerup", end);
      n.g.addEventListener("pointercancel", end);
    });

    /* legend of the entity types present */
    var types = [];
    nodes.forEach(function (n) { if (types.indexOf(n.type) < 0) types.push(n.type); });
    var legend = el("ul", "legend");
    types.forEach(function (t) {
      var li = el("li", "et-" + css(t));
      li.appendChild(el("span", "dotmark"));
      li.appendChild(document.createTextNode(String(t || "").toLowerCase()));
      legend.appendChild(li);
    });
    if (data.truncated) legend.appendChild(el("li", "muted", "showing the " + (nodes.length - 1) + " closest partners"));
    box.parentNode.insertBefore(legend, box.nextSibling);
    box.dataset.ready = "true";
  }

  function setupGraph(box) {
    var url = box.getAttribute("data-endpoint");
    if (!url) return;
    fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error("graph failed: " + r.status);
      return r.json();
    }).then(function (data) { drawGraph(box, data); }).catch(function () {
      box.textContent = "";
      box.appendChild(el("p", "graph-status muted", "The graph could not be loaded."));
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), setupSuggest);
    Array.prototype.forEach.call(document.querySelectorAll(".graph[data-endpoint]"), setupGraph);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
