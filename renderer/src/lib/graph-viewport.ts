// Moving the graph's view: fit it, centre a card. Both wait until every card is measured (a
// relayout's new cards have no size for a frame or two, and a view computed without them is
// wrong), then set the viewport directly.
//
// Svelte Flow's own fitView() is not used after the first fit: it queues the fit in its store and
// clears the queue only when the fit's animation ends. An animated fit cut short (by a centring,
// a wheel zoom, another fit) never ends, so the queue stays set and every later card measurement
// (a card turning stale, far or near) fits the whole graph again: the view the user or a search
// set moved away on its own. A viewport set directly and cut short is simply cut short.
import type { Rect, Viewport, useSvelteFlow } from '@xyflow/svelte';
import type { Point } from './graph-layout';

type Flow = ReturnType<typeof useSvelteFlow>;

/** Frames to wait for every card's size before going on without it: about a second. */
const MEASURE_FRAMES = 60;

/**
 * Runs `then` on the first frame where every node has a measured size (bounded: ~1 s of frames),
 * unless the graph is gone by then (`gone`: its canvas was destroyed, say the tab went back to the
 * connect screen): its store read after that warned once a frame (derived_inert).
 */
function whenMeasured(flow: Flow, gone: AbortSignal, then: () => void, frames = MEASURE_FRAMES): void {
  requestAnimationFrame(() => {
    if (gone.aborted) return;
    if (frames > 0 && !flow.getNodes().every((node) => node.hidden || node.measured?.width)) whenMeasured(flow, gone, then, frames - 1);
    else then();
  });
}

/** Fits every shown node in view, once they are measured: `viewportFor` says where a box of nodes fits. */
export function fitGraph(flow: Flow, gone: AbortSignal, viewportFor: (bounds: Rect) => Viewport, duration: number): void {
  whenMeasured(flow, gone, () => {
    const shown = flow.getNodes().filter((node) => !node.hidden);
    if (shown.length > 0) void flow.setViewport(viewportFor(flow.getNodesBounds(shown)), { duration });
  });
}

/** Centres the point `at` (a card's top-left) with a card of `size` around it, at `zoom`, once every node is measured. */
export function centreCard(flow: Flow, gone: AbortSignal, at: Point, size: { width: number; height: number }, zoom: number, duration: number): void {
  whenMeasured(flow, gone, () => {
    void flow.setCenter(at.x + size.width / 2, at.y + size.height / 2, { zoom, duration });
  });
}
