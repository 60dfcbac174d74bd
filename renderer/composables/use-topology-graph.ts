/**
 * One Cytoscape instance kept in step with a Topology: elements are added, removed and restyled by
 * diff (never rebuilt), positions come from the saved layout or are placed by clusterLayout, and
 * fcose refines small graphs. Drag a container onto a segment and `onDrop` asks to connect it.
 */
import cytoscape, { type Core, type ElementDefinition, type NodeSingular } from 'cytoscape';
import fcose from 'cytoscape-fcose';
import { onBeforeUnmount, onMounted, ref, watch, type Ref } from 'vue';
import { clusterLayout, diffTopology, type Point, type TopoEdge, type TopoNode, type Topology } from '../lib/topology-model';
import { themeVars, topologyStyle } from '../lib/topology-style';

cytoscape.use(fcose);

/** Graphs up to this many nodes get fcose's force-directed refinement; bigger ones keep the O(n) cluster layout. */
export const FCOSE_MAX_NODES = 400;
/** Beyond this many elements, edges are hidden while panning and zooming (Cytoscape's own optimisation). */
const BIG_GRAPH_ELEMENTS = 600;
/** Fitting a small graph stops at this zoom: nodes at 1.1× their size, not blown up to fill the view. */
const MAX_FIT_ZOOM = 1.1;
/** Model updates are applied at most this often (containers.changed can arrive many times a second). */
const APPLY_MIN_MS = 200;

export interface GraphOptions {
  topology: Ref<Topology>;
  theme: Ref<'dark' | 'light'>;
  /** Element ids to mark as being captured. */
  capturing: Ref<ReadonlySet<string>>;
  loadPositions(): Promise<Record<string, Point>>;
  savePositions(p: Record<string, Point>): void;
  onSelect(node: TopoNode | undefined): void;
  onOpen(node: TopoNode): void;
  /** A container was dropped on a segment; `restore` puts it back where it was. */
  onDrop(container: TopoNode, segment: TopoNode, restore: () => void): void;
}

function nodeDef(n: TopoNode, position?: Point): ElementDefinition {
  const classes = [n.kind, n.state ?? '', n.router ? 'router' : ''].filter(Boolean).join(' ');
  return { group: 'nodes', data: { ...n }, classes, ...(position ? { position: { ...position } } : {}) };
}

function edgeDef(e: TopoEdge): ElementDefinition {
  const classes = [e.kind, e.qos ? 'qos' : '', e.down ? 'down' : ''].filter(Boolean).join(' ');
  return { group: 'edges', data: { ...e, qos: e.qos ?? '' }, classes };
}

export function useTopologyGraph(el: Ref<HTMLElement | undefined>, o: GraphOptions) {
  let cy: Core | undefined;
  let shown: Topology = { nodes: [], edges: [] };
  let applyTimer: ReturnType<typeof setTimeout> | undefined;
  let lastApply = 0;
  const stats = ref({ nodes: 0, edges: 0, routers: 0, containers: 0, segments: 0 });
  const ready = ref(false);

  function positions(): Record<string, Point> {
    const out: Record<string, Point> = {};
    cy?.nodes().forEach((n) => {
      const p = n.position();
      out[n.id()] = { x: Math.round(p.x), y: Math.round(p.y) };
    });
    return out;
  }

  function updateStats(): void {
    const t = shown;
    stats.value = {
      nodes: t.nodes.length,
      edges: t.edges.length,
      routers: t.nodes.filter((n) => n.router).length,
      containers: t.nodes.filter((n) => n.kind === 'container').length,
      segments: t.nodes.filter((n) => n.kind === 'segment').length,
    };
  }

  /** Applies the current model: a diff against what is shown. */
  function apply(): void {
    if (!cy) return;
    const next = o.topology.value;
    const d = diffTopology(shown, next);
    if (d.addNodes.length || d.addEdges.length || d.remove.length || d.updateNodes.length || d.updateEdges.length) {
      const placed = d.addNodes.length ? clusterLayout(next, positions()) : {};
      cy.batch(() => {
        cy!.remove(d.remove.map((id) => `#${CSS.escape(id)}`).join(',') || '#__none');
        cy!.add(d.addNodes.map((n) => nodeDef(n, placed[n.id])));
        cy!.add(d.addEdges.map(edgeDef));
        for (const n of d.updateNodes) {
          const e = cy!.getElementById(n.id);
          e.data({ ...n });
          e.classes(nodeDef(n).classes as string);
        }
        for (const x of d.updateEdges) {
          const e = cy!.getElementById(x.id);
          e.data({ ...x, qos: x.qos ?? '' });
          e.classes(edgeDef(x).classes as string);
        }
      });
    }
    shown = next;
    markCapturing();
    updateStats();
    lastApply = performance.now();
  }

  function scheduleApply(): void {
    if (applyTimer) return;
    const wait = Math.max(0, APPLY_MIN_MS - (performance.now() - lastApply));
    applyTimer = setTimeout(() => {
      applyTimer = undefined;
      requestAnimationFrame(apply);
    }, wait);
  }

  function markCapturing(): void {
    if (!cy) return;
    const ids = o.capturing.value;
    cy.batch(() => {
      cy!.elements('.capturing').forEach((e) => {
        if (!ids.has(e.id())) e.removeClass('capturing');
      });
      for (const id of ids) cy!.getElementById(id).addClass('capturing');
    });
  }

  /** Lays everything out again (fcose for small graphs) and saves the result. */
  async function relayout(): Promise<void> {
    if (!cy) return;
    const base = clusterLayout(shown);
    cy.batch(() => cy!.nodes().forEach((n) => void (base[n.id()] && n.position(base[n.id()]!))));
    const leaves = cy.nodes().length;
    if (leaves <= FCOSE_MAX_NODES && leaves > 1) {
      const layout = cy.layout({
        name: 'fcose',
        quality: 'proof',
        randomize: true,
        animate: false,
        nodeRepulsion: () => 12000,
        // Trunks (bridge → segment) long, NICs short: segments become hubs with their members around them.
        idealEdgeLength: (e: cytoscape.EdgeSingular) => (e.hasClass('trunk') ? 170 : 90),
        edgeElasticity: (e: cytoscape.EdgeSingular) => (e.hasClass('trunk') ? 0.2 : 0.45),
        nodeSeparation: 80,
        packComponents: true,
      } as cytoscape.LayoutOptions);
      const done = new Promise<void>((r) => layout.one('layoutstop', () => r()));
      layout.run();
      await done;
    }
    fit();
    o.savePositions(positions());
  }

  /** Fits the graph in the view, but never blows a small graph up past a readable size. */
  function fit(): void {
    if (!cy) return;
    cy.fit(undefined, 30);
    if (cy.zoom() > MAX_FIT_ZOOM) {
      cy.zoom(MAX_FIT_ZOOM);
      cy.center();
    }
  }

  function segmentAt(p: Point): NodeSingular | undefined {
    let hit: NodeSingular | undefined;
    cy?.nodes('.segment').forEach((s) => {
      const b = s.boundingBox({});
      if (p.x >= b.x1 - 6 && p.x <= b.x2 + 6 && p.y >= b.y1 - 6 && p.y <= b.y2 + 6) hit = s;
    });
    return hit;
  }

  onMounted(async () => {
    const big = o.topology.value.nodes.length + o.topology.value.edges.length > BIG_GRAPH_ELEMENTS;
    cy = cytoscape({
      container: el.value!,
      style: topologyStyle(themeVars()),
      wheelSensitivity: 0.3,
      minZoom: 0.05,
      maxZoom: 3,
      boxSelectionEnabled: false,
      selectionType: 'single',
      pixelRatio: big ? 1 : 'auto',
      hideEdgesOnViewport: big,
      textureOnViewport: big,
    });
    const saved = await o.loadPositions();
    shown = o.topology.value;
    const placed = clusterLayout(shown, saved);
    cy.add(shown.nodes.map((n) => nodeDef(n, placed[n.id])));
    cy.add(shown.edges.map(edgeDef));
    updateStats();
    markCapturing();
    const known = shown.nodes.filter((n) => saved[n.id]).length;
    if (known === 0 && shown.nodes.length > 0) await relayout();
    else fit();

    let dragFrom: Point | undefined;
    let target: NodeSingular | undefined;
    cy.on('tap', 'node', (e) => o.onSelect(e.target.data() as TopoNode));
    cy.on('tap', (e) => {
      if (e.target === cy) o.onSelect(undefined);
    });
    cy.on('dbltap', 'node', (e) => o.onOpen(e.target.data() as TopoNode));
    cy.on('grab', 'node.container', (e) => (dragFrom = { ...e.target.position() }));
    cy.on('drag', 'node.container', (e) => {
      const hit = segmentAt(e.target.position());
      if (hit !== target) {
        target?.removeClass('drop-target');
        hit?.addClass('drop-target');
        target = hit;
      }
    });
    cy.on('dragfree', 'node', (e) => {
      const node = e.target as NodeSingular;
      const hit = node.hasClass('container') ? segmentAt(node.position()) : undefined;
      target?.removeClass('drop-target');
      target = undefined;
      if (hit && dragFrom) {
        const from = dragFrom;
        o.onDrop(node.data() as TopoNode, hit.data() as TopoNode, () => void node.position(from));
      } else {
        o.savePositions(positions());
      }
      dragFrom = undefined;
    });
    ready.value = true;
  });

  watch(o.topology, scheduleApply);
  watch(o.capturing, markCapturing);
  // After the theme store has switched data-theme, so the CSS variables read are the new ones.
  watch(o.theme, () => requestAnimationFrame(() => cy?.style(topologyStyle(themeVars()))), { flush: 'post' });

  onBeforeUnmount(() => {
    clearTimeout(applyTimer);
    cy?.destroy();
    cy = undefined;
  });

  /**
   * Puts a node beside a segment (after a drop-connect), on the free side: the direction with the
   * fewest of the segment's neighbours. Saves the layout.
   */
  function placeNear(id: string, segment: string): void {
    const seg = cy?.getElementById(segment);
    const node = cy?.getElementById(id);
    if (!seg?.nonempty() || !node?.nonempty()) return;
    const c = seg.position();
    const taken = seg
      .neighborhood()
      .nodes()
      .map((n) => Math.atan2(n.position().y - c.y, n.position().x - c.x));
    let best = 0;
    let bestGap = -1;
    for (let k = 0; k < 16; k++) {
      const a = (2 * Math.PI * k) / 16;
      const gap = Math.min(Math.PI, ...taken.map((t) => Math.abs(Math.atan2(Math.sin(a - t), Math.cos(a - t)))));
      if (gap > bestGap) [best, bestGap] = [a, gap];
    }
    node.position({ x: c.x + 100 * Math.cos(best), y: c.y + 100 * Math.sin(best) });
    o.savePositions(positions());
  }

  return {
    stats,
    ready,
    relayout,
    placeNear,
    fit,
    select: (id: string) => {
      cy?.elements(':selected').unselect();
      cy?.getElementById(id).select();
    },
    /** For tests and the bench: the Cytoscape instance. */
    instance: () => cy,
    positions,
  };
}
