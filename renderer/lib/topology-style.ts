/**
 * Cytoscape's stylesheet for the topology, from the theme's CSS variables (Cytoscape draws on a
 * canvas and cannot read them itself): re-applied when the theme changes.
 */
import type { StylesheetJson } from 'cytoscape';

type Vars = Record<string, string>;

const VAR_NAMES = [
  '--bg',
  '--bg2',
  '--bg3',
  '--fg',
  '--fg2',
  '--border',
  '--accent',
  '--warn',
  '--danger',
  '--ok',
  '--s-building',
  '--s-running',
  '--s-paused',
  '--s-quit',
  '--s-error',
];

export function themeVars(el: Element = document.documentElement): Vars {
  const cs = getComputedStyle(el);
  return Object.fromEntries(VAR_NAMES.map((n) => [n, cs.getPropertyValue(n).trim() || '#888']));
}

/** Labels smaller than this on screen are not drawn: a zoomed-out 1000-node graph stays cheap and readable. */
const MIN_LABEL_PX = 7;

export function topologyStyle(v: Vars): StylesheetJson {
  const state = (s: string, color: string) => ({ selector: `node.container.${s}`, style: { 'background-color': color } });
  return [
    {
      selector: 'node',
      style: {
        label: 'data(label)',
        color: v['--fg'],
        'font-size': 11,
        'font-family': 'system-ui, "DejaVu Sans", sans-serif',
        'min-zoomed-font-size': MIN_LABEL_PX,
        'text-wrap': 'ellipsis',
        'text-max-width': '110px',
      },
    },
    {
      selector: 'node.bridge',
      style: {
        shape: 'round-rectangle',
        width: 'label',
        height: 22,
        padding: '8px',
        'background-color': v['--bg2'],
        'border-width': 1.5,
        'border-style': 'dashed',
        'border-color': v['--fg2'],
        'text-valign': 'center',
        'text-halign': 'center',
        color: v['--fg2'],
        'font-size': 11,
        'font-family': 'ui-monospace, "DejaVu Sans Mono", monospace',
      },
    },
    {
      selector: 'node.segment',
      style: {
        shape: 'round-rectangle',
        width: 118,
        height: 30,
        'background-color': v['--bg3'],
        'border-width': 2,
        'border-color': v['--accent'],
        'text-valign': 'center',
        'text-halign': 'center',
        'font-weight': 'bold',
        'font-size': 12,
      },
    },
    {
      selector: 'node.container',
      style: {
        shape: 'ellipse',
        width: 22,
        height: 22,
        'border-width': 1,
        'border-color': v['--bg'],
        'text-valign': 'bottom',
        'text-halign': 'center',
        'text-margin-y': 3,
        'font-size': 10,
        color: v['--fg2'],
      },
    },
    {
      selector: 'node.container.router',
      style: {
        shape: 'diamond',
        width: 34,
        height: 34,
        'border-width': 2,
        'border-color': v['--fg'],
        color: v['--fg'],
        'font-weight': 'bold',
        'font-size': 11,
      },
    },
    state('BUILDING', v['--s-building']!),
    state('RUNNING', v['--s-running']!),
    state('PAUSED', v['--s-paused']!),
    state('QUIT', v['--s-quit']!),
    state('ERROR', v['--s-error']!),
    {
      selector: 'node.tap',
      style: {
        shape: 'round-tag',
        width: 24,
        height: 20,
        'background-color': v['--fg2'],
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'font-size': 10,
        color: v['--fg2'],
      },
    },
    {
      selector: 'node.dnsmasq',
      style: {
        shape: 'hexagon',
        width: 24,
        height: 22,
        'background-color': v['--warn'],
        'text-valign': 'bottom',
        'text-margin-y': 3,
        'font-size': 10,
        color: v['--fg2'],
      },
    },
    {
      selector: 'edge',
      style: {
        width: 1.5,
        'line-color': v['--border'],
        'curve-style': 'straight',
        label: 'data(qos)',
        'font-size': 9,
        color: v['--warn'],
        'min-zoomed-font-size': 9,
        'text-background-color': v['--bg'],
        'text-background-opacity': 0.85,
        'text-background-padding': '1px',
      },
    },
    { selector: 'edge.qos', style: { 'line-color': v['--warn'], width: 2.5, 'line-style': 'dashed' } },
    { selector: 'edge.down', style: { 'line-style': 'dotted', opacity: 0.5 } },
    { selector: 'edge.tap, edge.dhcp', style: { 'line-color': v['--fg2'], 'line-style': 'dashed' } },
    { selector: 'edge.trunk', style: { 'line-color': v['--fg2'], 'line-style': 'dotted', width: 1, opacity: 0.4 } },
    {
      selector: 'edge.mirror',
      style: {
        'line-color': v['--accent'],
        'line-style': 'dashed',
        'target-arrow-shape': 'triangle',
        'target-arrow-color': v['--accent'],
        'curve-style': 'bezier',
      },
    },
    { selector: 'edge.capturing', style: { 'line-color': v['--danger'], width: 3 } },
    { selector: 'node.capturing', style: { 'border-width': 3, 'border-color': v['--danger'] } },
    { selector: 'node:selected', style: { 'border-width': 3, 'border-color': v['--accent'], 'overlay-opacity': 0 } },
    { selector: 'edge:selected', style: { 'line-color': v['--accent'], width: 3 } },
    { selector: 'node.drop-target', style: { 'border-width': 4, 'border-color': v['--ok'], 'background-color': v['--bg2'] } },
    { selector: 'node.faded, edge.faded', style: { opacity: 0.25 } },
  ];
}
