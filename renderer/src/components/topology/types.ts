import type { Edge, Node } from '@xyflow/svelte';
import type { Address } from '../../../../electron/shared/types';
import type { GridLane } from '../../lib/graph-layout';

/** Card size used by the layout; the card's CSS uses the same width. */
export const CARD_WIDTH = 240;
export const CARD_HEIGHT = 128;
/** A problem card's room in the layout: its state, link chip and warning chips (measured up to 179 px). */
export const PROBLEM_CARD_HEIGHT = 184;

/**
 * Graph data carries identity only: cards and edges read live values from the session by
 * address, so a tick never touches the arrays Svelte Flow owns.
 */
export type CardData = { address: Address };
export type CardNode = Node<CardData, 'replicationNode'>;

/** The one card standing for a master's never-reached listed addresses (null: addresses no node lists any more). */
export type UnreachedData = { master: Address | null };
export type UnreachedNode = Node<UnreachedData, 'unreachedSummary'>;
/** A Sentinel: a compact card apart from the replication tree. */
export type SentinelNode = Node<CardData, 'sentinelNode'>;
/** A collapsed subtree: one card for every node below `master` that is not drawn. */
export type SubtreeData = { master: Address };
export type SubtreeNode = Node<SubtreeData, 'subtreeSummary'>;
export type GraphNode = CardNode | UnreachedNode | SentinelNode | SubtreeNode;

/** The Sentinel card's size, used by its row's placement; its CSS uses the same width. */
export const SENTINEL_WIDTH = 210;
export const SENTINEL_HEIGHT = 76;

/** `lane`: the card is in a grid of siblings, and its line runs along the gutters (graph-layout.ts). */
export type ReplicationEdgeData = { master: Address; replica: Address; lane?: GridLane };
export type ReplicationEdgeType = Edge<ReplicationEdgeData, 'replication'>;

/** Room around the fitted graph for the legend above and the zoom buttons below (px). */
export const FIT_PADDING = { top: 52, bottom: 44, left: 28, right: 28 } as const;

export const FIT_OPTIONS = {
  padding: { top: `${FIT_PADDING.top}px`, bottom: `${FIT_PADDING.bottom}px`, left: `${FIT_PADDING.left}px`, right: `${FIT_PADDING.right}px` },
  maxZoom: 1,
} as const;
