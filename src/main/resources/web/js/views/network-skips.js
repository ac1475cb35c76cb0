// The skip connections of a residual network, drawn as arcs in a strip below the layer columns
// (network-layout.js keeps SKIP_STRIP px free there when the model has skips): each leaves the
// column of the layer before its block (the probe image when the block reads the input) and lands
// on the column of the conv whose output it is added into. An identity shortcut is a solid arc; a
// 1x1 projection a dashed one marked "1×1"; hovering an arc names both ends and the shortcut. While
// zoomed into a range of layers, an arc with one end outside it runs to that side's edge; one with
// both ends on the same side is not drawn. The arcs are <g class="skip"> elements (data-block,
// data-from, data-to, data-shortcut) of one SVG above the columns, which catches the pointer only
// on the arcs themselves.

/** The deepest an arc dips below the columns (px). */
const ARC_DEPTH = 22;
/** Height (px) of the strip kept below the columns: the arcs, and room for the legend's second line under them. */
export const SKIP_STRIP = ARC_DEPTH + 36;
/** How far past the outermost shown column an arc with a hidden end runs (px). */
const EDGE = 28;

export function createSkips(svgElement) {
  const svg = d3.select(svgElement);
  let drawnKey = '';

  /**
   * Draws `skips` ([{block, from, to, shortcut, projection}]) for `layout` (computeLayout's), whose
   * columns are keyed in `colById`; `ids` are every parameter layer's id in order; `label(id)` names
   * a layer as the view does.
   */
  function draw(skips, layout, ids, colById, label, key) {
    if (key === drawnKey) return;
    drawnKey = key;
    const arcs = layout ? arcsOf(skips, layout, ids, colById) : [];
    const groups = svg.selectAll('g.skip').data(arcs, a => a.block).join(enter => {
      const g = enter.append('g');
      g.append('title');
      g.append('path').attr('class', 'skip-hit');
      g.append('path').attr('class', 'skip-line');
      g.append('text').attr('class', 'skip-mark').attr('text-anchor', 'middle');
      return g;
    });
    groups.attr('class', a => `skip ${a.shortcut}`).attr('data-block', a => a.block).attr('data-from', a => a.from ?? 'input')
      .attr('data-to', a => a.to).attr('data-shortcut', a => a.shortcut);
    // select (not selectAll) hands each group's new arc down to its child
    groups.select('path.skip-hit').attr('d', a => a.d);
    groups.select('path.skip-line').attr('d', a => a.d).attr('marker-end', 'url(#skip-arrow)');
    groups.select('text.skip-mark').attr('x', a => a.apex.x).attr('y', a => a.apex.y - 3)
      .text(a => (a.shortcut === 'projection' ? '1×1' : ''));
    groups.select('title').text(a => describe(a, label));
  }

  /** Forces the next draw (the view was resized or re-laid out). */
  function invalidate() {
    drawnKey = '';
  }

  return { draw, invalidate };
}

/**
 * One arc per skip whose ends are not both off the same side of the shown layers:
 * {block, from, to, shortcut, projection, d (SVG path), apex {x, y}}. An arc is a cubic curve below
 * the strip's top from x1 to x2, deeper the longer it is (at most ARC_DEPTH).
 */
function arcsOf(skips, layout, ids, colById) {
  const shown = layout.shown || [];
  if (!shown.length) return [];
  const lo = ids.indexOf(shown[0]);
  const hi = ids.indexOf(shown[shown.length - 1]);
  const left = colById.get(shown[0]).x - EDGE;
  const right = colById.get(shown[shown.length - 1]).x + EDGE;
  const xOf = (id) => {
    if (id == null) return layout.input ? colById.get('__input').x : left;
    if (colById.has(id)) return colById.get(id).x;
    const i = ids.indexOf(id);
    if (i < 0) return null;
    return i < lo ? left : i > hi ? right : null;
  };
  const arcs = [];
  for (const skip of skips) {
    const x1 = xOf(skip.from);
    const x2 = xOf(skip.to);
    if (x1 == null || x2 == null || !(x2 > x1) || (x1 === left && x2 === left) || (x1 === right && x2 === right)) continue;
    const y = layout.skipY + 4;
    const depth = Math.min(ARC_DEPTH, 10 + 0.12 * (x2 - x1));
    arcs.push({ ...skip, d: `M${x1.toFixed(1)},${y}C${x1.toFixed(1)},${y + depth} ${x2.toFixed(1)},${y + depth} ${x2.toFixed(1)},${y}`,
      apex: { x: (x1 + x2) / 2, y: y + 0.75 * depth } });
  }
  return arcs;
}

/** The hover text of an arc. */
function describe(arc, label) {
  const from = arc.from == null ? 'the input image' : `${label(arc.from)}'s output`;
  const shortcut = arc.shortcut === 'projection'
    ? `projection shortcut${arc.projection ? ` (1×1 conv ${label(arc.projection)})` : ''}` : 'identity shortcut';
  return `Skip of block ${arc.block}, ${shortcut}: ${from} is added into ${label(arc.to)}'s output`;
}
