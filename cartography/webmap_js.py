"""The web map's drawing code (JavaScript, inlined into every HTML export).

A layer arrives as compact strings (cartography/webmap.py packs them): integer Web Mercator
coordinates at zoom `Q`, delta-encoded as polyline-style 5-bit varints, one class index per
feature, and tooltip values as escaped, dictionary-encoded text. `haAtlas.layer` turns one
into a Leaflet path that draws all its features on the map's shared canvas (one path per
colour class, so a 120,000-cell grid is a few canvas calls, not 120,000 Leaflet objects),
answers hit tests itself; one tooltip lists what lies under the cursor in every layer.
Dense point layers come with counts per cell at a few cell sizes; the layer picks the size
that fits the zoom and rewrites its legend note, and draws single points once zoomed in.
No text is built here from data: every string was escaped when the page was written.
"""

BULK_LAYERS_JS = r"""
var haAtlas = (function () {
  "use strict";
  var Q = __COORD_ZOOM__;          // zoom level of the stored integer coordinates
  var MIN_CELL_PX = __MIN_CELL_PX__;  // finest aggregation cell at least this wide on screen
  var POINTS_PX = __POINTS_PX__;      // single points once the finest cell is this wide

  function ints(s, n) {
    var out = new Int32Array(n), i = 0, k = 0, len = s.length, r, shift, b;
    while (k < len && i < n) {
      r = 0; shift = 0;
      do { b = s.charCodeAt(k++) - 63; r |= (b & 31) << shift; shift += 5; } while (b >= 32);
      out[i++] = (r & 1) ? ~(r >>> 1) : (r >>> 1);
    }
    return out;
  }

  function deltas(s, n, stride) {
    var a = ints(s, n), i;
    for (i = stride; i < n; i++) { a[i] += a[i - stride]; }
    return a;
  }

  function starts(counts) {
    var out = new Int32Array(counts.length + 1), i;
    for (i = 0; i < counts.length; i++) { out[i + 1] = out[i] + counts[i]; }
    return out;
  }

  function grouped(cls, nClasses) {
    var lists = [], fill = new Int32Array(nClasses), i, c;
    for (i = 0; i < cls.length; i++) { fill[cls[i]]++; }
    for (c = 0; c < nClasses; c++) { lists.push(new Int32Array(fill[c])); fill[c] = 0; }
    for (i = 0; i < cls.length; i++) { c = cls[i]; lists[c][fill[c]++] = i; }
    return lists;
  }

  function segDist2(x, y, x1, y1, x2, y2) {
    var dx = x2 - x1, dy = y2 - y1, t = 0, l = dx * dx + dy * dy;
    if (l > 0) { t = Math.max(0, Math.min(1, ((x - x1) * dx + (y - y1) * dy) / l)); }
    dx = x1 + t * dx - x; dy = y1 + t * dy - y;
    return dx * dx + dy * dy;
  }

  var Bulk = L.Path.extend({
    initialize: function (spec) {
      var g = spec.g, n = spec.n, i, b;
      this._spec = spec;
      this._st = spec.s;
      // Leaflet's own hit test stops at the topmost layer; `identify` below asks every layer
      L.setOptions(this, {interactive: false, weight: spec.s.w || 0, pane: spec.p || "overlayPane"});
      this._tips = !!(spec.a && spec.a.f.length) || !!spec.agg;
      this._kind = spec.k;
      if (spec.k === "point") {
        this._xy = deltas(g.xy, 2 * n, 2);
      } else {
        this._xy = deltas(g.xy, 2 * g.nv, 2);
        this._rs = starts(ints(g.rl, g.nr));
        this._fs = starts(ints(g.fp, n));
      }
      var cls = spec.c ? ints(spec.c, n) : new Int32Array(n);
      this._byClass = grouped(cls, spec.s.fc.length);
      // feature bounding boxes in stored units; the layer's own bounds for the renderer
      var bb = this._bb = new Int32Array(4 * n), xy = this._xy;
      var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
      for (i = 0; i < n; i++) {
        b = 4 * i;
        if (spec.k === "point") {
          bb[b] = bb[b + 2] = xy[2 * i]; bb[b + 1] = bb[b + 3] = xy[2 * i + 1];
        } else {
          var v0 = this._rs[this._fs[i]], v1 = this._rs[this._fs[i + 1]], v;
          bb[b] = bb[b + 1] = 2147483647; bb[b + 2] = bb[b + 3] = -2147483647;
          for (v = v0; v < v1; v++) {
            var x = xy[2 * v], y = xy[2 * v + 1];
            if (x < bb[b]) { bb[b] = x; } if (x > bb[b + 2]) { bb[b + 2] = x; }
            if (y < bb[b + 1]) { bb[b + 1] = y; } if (y > bb[b + 3]) { bb[b + 3] = y; }
          }
          if (v0 === v1) { continue; }
        }
        lo[0] = Math.min(lo[0], bb[b]); lo[1] = Math.min(lo[1], bb[b + 1]);
        hi[0] = Math.max(hi[0], bb[b + 2]); hi[1] = Math.max(hi[1], bb[b + 3]);
      }
      this._lo = lo; this._hi = hi;
      this._levels = (spec.agg || []).map(function (lv) {
        var m = lv.m;
        return {xy: deltas(lv.xy, 2 * m, 2), c: ints(lv.c, m), m: m, q: lv.q, max: lv.max,
                note: lv.note, tip: lv.tip, refs: lv.refs};
      });
      this._hit = -1;
      layers.push(this);
    },

    onAdd: function (map) {
      L.Path.prototype.onAdd.call(this, map);
      this._legend(true);
    },

    onRemove: function (map) {
      this._legend(false);
      L.Path.prototype.onRemove.call(this, map);
    },

    _legend: function (on) {
      var el = this._spec.legend && document.getElementById(this._spec.legend);
      if (el) { el.style.display = on ? "" : "none"; }
    },

    _project: function () {
      var map = this._map, z = map.getZoom(), o = map.getPixelOrigin();
      this._s = Math.pow(2, z - Q); this._ox = o.x; this._oy = o.y;
      this._level = this._pickLevel();
      this._k = this._spec.n;  // the most populous first: draw the first _k points
      if (this._spec.sel) {
        var steps = this._spec.sel.steps;
        this._step = steps[Math.max(0, Math.min(steps.length - 1, Math.floor(z - this._spec.sel.z0 + 1e-6)))];
        this._k = this._step[0];
      }
      var pad = this._radius() + (this._st.w || 0) + 2, s = this._s;
      this._pxBounds = this._lo[0] > this._hi[0] ? null : L.bounds(
        [this._lo[0] * s - this._ox - pad, this._lo[1] * s - this._oy - pad],
        [this._hi[0] * s - this._ox + pad, this._hi[1] * s - this._oy + pad]);
      if (this._level) {  // circles are at most 1.25 cells wide, and the cells' lattice
        var e = this._level.q * s;  // centres can lie outside the points' own extent
        this._pxBounds = L.bounds(this._pxBounds.min.subtract([e, e]), this._pxBounds.max.add([e, e]));
      }
      this._updateNote();
    },

    _update: function () {},

    _pickLevel: function () {
      var lv = this._levels, s = this._s, i, pick = null;
      if (!lv.length) { return null; }
      for (i = 0; i < lv.length; i++) { if (lv[i].q * s >= MIN_CELL_PX) { pick = lv[i]; } }
      if (!pick) { return lv[0]; }
      if (pick === lv[lv.length - 1] && pick.q * s >= POINTS_PX) { return null; }
      return pick;
    },

    _updateNote: function () {
      var el = this._spec.note && document.getElementById(this._spec.note), lv = this._level;
      if (!el) { return; }
      if (this._spec.sel) { el.innerHTML = this._step[1]; return; }
      if (!lv) { el.innerHTML = this._spec.single; return; }
      var html = lv.note + "<div class=\"ha-bubbles\">", st = this._st, i;
      for (i = 0; i < lv.refs.length; i++) {
        var d = (2 * this._bubble(lv, lv.refs[i][0])).toFixed(1);
        html += "<span class=\"ha-bub-row\"><span class=\"ha-bub\" style=\"width:" + d + "px;height:" +
          d + "px;background:" + st.ac + ";border-color:" + (st.sc || st.ac) + "\"></span>" +
          lv.refs[i][1] + "</span>";
      }
      el.innerHTML = html + "</div>";
    },

    _bubble: function (lv, count) {
      return Math.max(1.2, 0.625 * lv.q * this._s * Math.sqrt(count / lv.max));
    },

    _radius: function () {
      if (this._kind !== "point") { return 0; }
      var z = this._map ? this._map.getZoom() : 10;
      return this._st.r * Math.min(1, Math.max(0.4, Math.pow(2, (z - 10) / 2)));
    },

    _view: function () {
      var b = this._renderer._bounds, s = this._s, p = this._radius() + 2;
      return [(b.min.x + this._ox - p) / s, (b.min.y + this._oy - p) / s,
              (b.max.x + this._ox + p) / s, (b.max.y + this._oy + p) / s];
    },

    _paint: function (ctx, c, any, width) {
      var st = this._st;
      if (!any) { return; }
      if (st.fo > 0) { ctx.globalAlpha = st.fo; ctx.fillStyle = st.fc[c]; ctx.fill("nonzero"); }
      if (st.so > 0 && width > 0) {
        ctx.globalAlpha = st.so; ctx.strokeStyle = st.sc || st.fc[c]; ctx.lineWidth = width;
        ctx.stroke();
      }
    },

    _width: function () {
      // a network of many lines (rivers) thins out at country scale instead of burying the map
      if (this._kind !== "line" || this._spec.n < 200) { return this._st.w; }
      return this._st.w * Math.min(1, Math.max(0.5, Math.pow(2, (this._map.getZoom() - 9) / 3)));
    },

    _updatePath: function () {
      if (!this._map || !this._renderer._ctx) { return; }
      var ctx = this._renderer._ctx;
      ctx.save();
      ctx.lineJoin = "round"; ctx.lineCap = "round";
      if (this._level) { this._drawLevel(ctx, this._level); }
      else if (this._kind === "point") { this._drawPoints(ctx); }
      else { this._drawShapes(ctx, this._kind === "polygon"); }
      ctx.restore();
    },

    _drawShapes: function (ctx, closed) {
      var xy = this._xy, rs = this._rs, fs = this._fs, bb = this._bb, s = this._s;
      var ox = this._ox, oy = this._oy, v = this._view(), c, k, f, b, r, i, e, x, y, px, py;
      for (c = 0; c < this._byClass.length; c++) {
        var list = this._byClass[c], any = false;
        ctx.beginPath();
        for (k = 0; k < list.length; k++) {
          f = list[k]; b = 4 * f;
          if (bb[b] > v[2] || bb[b + 2] < v[0] || bb[b + 1] > v[3] || bb[b + 3] < v[1]) { continue; }
          any = true;
          var w = (bb[b + 2] - bb[b]) * s, h = (bb[b + 3] - bb[b + 1]) * s;
          if (closed && w < 1 && h < 1) {  // smaller than a pixel: its box covers the same pixel
            ctx.rect(bb[b] * s - ox, bb[b + 1] * s - oy, w, h);
            continue;
          }
          for (r = fs[f]; r < fs[f + 1]; r++) {
            i = rs[r]; e = rs[r + 1];
            px = xy[2 * i] * s - ox; py = xy[2 * i + 1] * s - oy;
            ctx.moveTo(px, py);
            for (i++; i < e; i++) {
              x = xy[2 * i] * s - ox; y = xy[2 * i + 1] * s - oy;
              // vertices closer than half a pixel add nothing on screen
              if (i < e - 1 && (x - px) * (x - px) + (y - py) * (y - py) < 0.25) { continue; }
              ctx.lineTo(x, y); px = x; py = y;
            }
            if (closed) { ctx.closePath(); }
          }
        }
        this._paint(ctx, c, any, this._width());
      }
    },

    _drawPoints: function (ctx) {
      var xy = this._xy, s = this._s, ox = this._ox, oy = this._oy, v = this._view();
      var rad = this._radius(), c, k, f, X, Y, x, y;
      for (c = 0; c < this._byClass.length; c++) {
        var list = this._byClass[c], any = false;
        ctx.beginPath();
        for (k = 0; k < list.length; k++) {
          f = list[k]; X = xy[2 * f]; Y = xy[2 * f + 1];
          if (f >= this._k || X < v[0] || X > v[2] || Y < v[1] || Y > v[3]) { continue; }
          any = true; x = X * s - ox; y = Y * s - oy;
          ctx.moveTo(x + rad, y); ctx.arc(x, y, rad, 0, 2 * Math.PI);
        }
        // an outline on a dot under 2 px only greys it
        this._paint(ctx, c, any, rad < 2 ? 0 : this._st.w);
      }
    },

    _drawLevel: function (ctx, lv) {
      var s = this._s, ox = this._ox, oy = this._oy, v = this._view(), st = this._st, i, r, X, Y, x, y;
      var m = lv.q * 0.75;  // a circle reaches at most this far from its cell centre
      ctx.beginPath();
      for (i = 0; i < lv.m; i++) {
        X = lv.xy[2 * i]; Y = lv.xy[2 * i + 1];
        if (X + m < v[0] || X - m > v[2] || Y + m < v[1] || Y - m > v[3]) { continue; }
        r = this._bubble(lv, lv.c[i]); x = X * s - ox; y = Y * s - oy;
        ctx.moveTo(x + r, y); ctx.arc(x, y, r, 0, 2 * Math.PI);
      }
      ctx.globalAlpha = st.afo; ctx.fillStyle = st.ac; ctx.fill("nonzero");
      ctx.globalAlpha = 0.9; ctx.strokeStyle = st.sc || st.ac; ctx.lineWidth = 0.8; ctx.stroke();
    },

    _containsPoint: function (p) {
      this._hit = -1;
      if (!this._s) { return false; }
      var s = this._s, X = (p.x + this._ox) / s, Y = (p.y + this._oy) / s;
      var tol = (this._clickTolerance() + 2) / s;
      if (this._level) { this._hit = this._hitLevel(this._level, X, Y); }
      else if (this._kind === "point") { this._hit = this._hitPoint(X, Y, tol + this._radius() / s); }
      else { this._hit = this._hitShape(X, Y, tol); }
      return this._hit >= 0;
    },

    _hitLevel: function (lv, X, Y) {
      var best = -1, bd = Infinity, i, dx, dy, d, r;
      for (i = 0; i < lv.m; i++) {
        dx = lv.xy[2 * i] - X; dy = lv.xy[2 * i + 1] - Y; d = dx * dx + dy * dy;
        r = this._bubble(lv, lv.c[i]) / this._s;
        if (d <= r * r && d < bd) { bd = d; best = i; }
      }
      return best;
    },

    _hitPoint: function (X, Y, tol) {
      var xy = this._xy, n = this._k, best = -1, bd = tol * tol, i, dx, dy, d;
      for (i = 0; i < n; i++) {
        dx = xy[2 * i] - X; dy = xy[2 * i + 1] - Y; d = dx * dx + dy * dy;
        if (d <= bd) { bd = d; best = i; }
      }
      return best;
    },

    _hitShape: function (X, Y, tol) {
      var xy = this._xy, rs = this._rs, fs = this._fs, bb = this._bb, n = this._spec.n;
      var filled = this._kind === "polygon" && this._st.fo > 0, t2 = tol * tol, f, b, r, i, j, e;
      for (f = n - 1; f >= 0; f--) {
        b = 4 * f;
        if (X < bb[b] - tol || X > bb[b + 2] + tol || Y < bb[b + 1] - tol || Y > bb[b + 3] + tol) { continue; }
        var inside = false;
        for (r = fs[f]; r < fs[f + 1]; r++) {
          i = rs[r]; e = rs[r + 1];
          if (filled) {
            for (j = e - 1; i < e; j = i++) {
              var xi = xy[2 * i], yi = xy[2 * i + 1], xj = xy[2 * j], yj = xy[2 * j + 1];
              if ((yi > Y) !== (yj > Y) && X < (xj - xi) * (Y - yi) / (yj - yi) + xi) { inside = !inside; }
            }
          } else {
            var last = this._kind === "polygon" ? e : e - 1;
            for (; i < last; i++) {
              j = i + 1 < e ? i + 1 : rs[r];
              if (segDist2(X, Y, xy[2 * i], xy[2 * i + 1], xy[2 * j], xy[2 * j + 1]) <= t2) { return f; }
            }
          }
        }
        if (inside) { return f; }
      }
      return -1;
    },

    _tipHtml: function () {
      var i = this._hit, a = this._spec.a, lv = this._level;
      if (i < 0) { return ""; }
      if (lv) { return "<div>" + lv.tip.replace("{n}", lv.c[i].toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",")) + "</div>"; }
      if (!a) { return ""; }
      if (!this._codes) {
        var n = this._spec.n;
        this._codes = a.c.map(function (col) { return ints(col[1], n); });
      }
      var html = "<table class=\"ha-tt\">", k, t;
      for (k = 0; k < a.f.length; k++) {
        t = a.c[k][0][this._codes[k][i]];
        if (t) { html += "<tr><th>" + a.f[k] + "</th><td>" + t + "</td></tr>"; }
      }
      return html + "</table>";
    }
  });

  var layers = [];

  // What lies under the cursor in every layer shown, topmost first: a municipality's name
  // stays reachable under rivers, grid cells and event circles.
  function identify(map, p) {
    var html = "", shown = 0, i, layer, t;
    for (i = layers.length - 1; i >= 0 && shown < 4; i--) {
      layer = layers[i];
      if (!layer._map || !layer._tips || !layer._containsPoint(p)) { continue; }
      t = layer._tipHtml();
      if (t) { html += "<div class=\"ha-tip-layer\">" + layer._spec.name + "</div>" + t; shown++; }
    }
    return html;
  }

  function watch(map) {
    var tip = L.tooltip({className: "ha-tip", direction: "right", offset: [14, 0], opacity: 0.95});
    var pending = null, timer = null;
    map.on("mousemove", function (e) {  // at most one look-up per 30 ms, the latest position
      pending = e;
      if (!timer) {
        hover(e); pending = null;
        timer = setTimeout(function () { timer = null; if (pending) { hover(pending); pending = null; } }, 30);
      }
    });
    function hover(e) {
      var html = map.dragging && map.dragging.moving() ? "" : identify(map, e.layerPoint);
      if (!html) { map.closeTooltip(tip); return; }
      tip.setLatLng(e.latlng).setContent(html);
      if (!map.hasLayer(tip)) { map.openTooltip(tip); }
    }
    map.on("mouseout zoomstart movestart", function () { map.closeTooltip(tip); });
    map.on("click", function (e) {
      var html = identify(map, e.layerPoint);
      if (html) { L.popup({maxWidth: 340}).setLatLng(e.latlng).setContent(html).openOn(map); }
    });
  }

  return {
    layer: function (specs) {
      if (specs.length === 1) { return new Bulk(specs[0]); }
      return L.featureGroup(specs.map(function (s) { return new Bulk(s); }));
    },
    ready: function (map) {
      watch(map);
      // the canvas draws on the next animation frame; mark the page once it has
      requestAnimationFrame(function () {
        document.documentElement.setAttribute("data-ha-ready", Math.round(performance.now()));
      });
    }
  };
})();
"""
