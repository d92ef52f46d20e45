// Runs inside the page, added by bench/renderer.ts with page.addInitScript before the renderer's
// own scripts. Plain browser JavaScript: the Node tsconfig that checks bench/ has no DOM types.
// It reads window.__rendererBenchConfig (set by an earlier init script) and exposes
// window.__rendererBench, which the bench drives with page.evaluate.
(() => {
  const config = window.__rendererBenchConfig;
  const CARDS = '[data-testid^="node-card-"]';
  const SUMMARIES = '[data-testid^="subtree-summary-"]';
  const EDGES = '[data-testid^="edge-"]';

  // tickLog: each tick message as it arrived, and its length in characters (the JSON text as sent:
  // ASCII but for a rare character in a message, so about its bytes), without copying it anywhere.
  const state = { ticks: 0, tickLog: [] };

  // Count tick pushes as they reach the page (the app's own onmessage runs after this listener).
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      this.addEventListener('message', (event) => {
        if (typeof event.data === 'string' && event.data.startsWith('{"push":"topology:tick"')) {
          state.ticks += 1;
          state.tickLog.push({ at: performance.now(), size: event.data.length });
        } else if (typeof event.data === 'string' && event.data.includes('"t":[')) {
          // The answer to history:all (columns of times): when it reached the page.
          mark('historyArrived', true);
        }
      });
    }
  };

  const count = (selector) => document.querySelectorAll(selector).length;

  const chartPoints = (testid) => {
    const element = document.querySelector(`[data-testid="${testid}"]`);
    return element ? Number(element.getAttribute('data-points') || 0) : 0;
  };

  /** True when every chart named in `minimum` reports at least that many drawn points. */
  const chartsHave = (minimum) => Object.entries(minimum).every(([testid, n]) => chartPoints(testid) >= n);

  /**
   * Checks `done` once per frame, in requestAnimationFrame (before that frame is painted), and
   * resolves with the time just after the frame in which it first held has been rendered: a
   * message posted from rAF runs as the next task, after style, layout and paint.
   */
  const whenDrawn = (done, eachFrame) =>
    new Promise((resolve) => {
      const frame = () => {
        eachFrame?.();
        if (!done()) {
          requestAnimationFrame(frame);
          return;
        }
        const channel = new MessageChannel();
        channel.port1.onmessage = () => resolve(performance.now());
        channel.port2.postMessage(null);
      };
      requestAnimationFrame(frame);
    });

  // From navigation start (performance.now() counts from it) until the whole topology (as drawn
  // at first: config.drawn, with its subtrees folded by default) and the charts' history are on
  // screen, with the time each part first appeared.
  const milestones = { firstCard: null, allCards: null, allEdges: null, historyArrived: null, chartsDrawn: null, done: null };
  const mark = (key, holds) => {
    if (milestones[key] === null && holds) milestones[key] = performance.now();
  };
  const firstRender = whenDrawn(
    () => milestones.allCards !== null && milestones.allEdges !== null && milestones.chartsDrawn !== null,
    () => {
      const cards = count(CARDS);
      mark('firstCard', cards > 0);
      mark('allCards', cards >= config.drawn.cards && count(SUMMARIES) >= config.drawn.summaries);
      mark('allEdges', count(EDGES) >= config.drawn.edges);
      mark('chartsDrawn', chartsHave(config.firstCharts));
    },
  ).then((done) => ({ ...milestones, done, cards: count(CARDS), edges: count(EDGES), ticks: state.ticks }));

  /** Clicks a chart window button ("1 h") and resolves with ms until the charts drew `minimum` points. */
  const switchWindow = async (label, minimum) => {
    const buttons = [...document.querySelectorAll('[aria-label="Time window"] button')];
    const button = buttons.find((b) => b.textContent.trim() === label);
    if (!button) throw new Error(`no "${label}" window button (have: ${buttons.map((b) => b.textContent.trim()).join(', ')})`);
    const start = performance.now();
    button.click();
    const end = await whenDrawn(() => chartsHave(minimum));
    return { ms: end - start, pressed: button.getAttribute('aria-pressed'), points: pointsNow() };
  };

  /**
   * Clicks every summary's expand button (each once: a summary stays until the layout that
   * replaces it is drawn; a second click would fold it again), and those that expanding shows,
   * until every node is a card; resolves with ms from the first click to that frame drawn.
   */
  const expandAll = async () => {
    const clicked = new Set();
    const clickAll = () => {
      for (const button of document.querySelectorAll('[data-testid^="expand-"]')) {
        const id = button.getAttribute('data-testid');
        if (clicked.has(id)) continue;
        clicked.add(id);
        button.click();
      }
    };
    const start = performance.now();
    clickAll();
    const end = await whenDrawn(() => count(CARDS) >= config.nodes && count(EDGES) >= config.edges, clickAll);
    return end - start;
  };

  /** Chart.js draws so far, per chart (a tick that changes no pixel draws nothing). */
  const redrawsNow = () =>
    Object.fromEntries([...document.querySelectorAll('[data-redraws]')].map((element) => [element.getAttribute('data-testid'), Number(element.getAttribute('data-redraws') || 0)]));

  const pointsNow = () => ({
    offset: chartPoints('offset-chart'),
    lag: chartPoints('lag-chart'),
    lagSeconds: chartPoints('lag-seconds-chart'),
  });

  // Frame recording: rAF-to-rAF gaps, long animation frames (LoAF, ≥ 50 ms) and long tasks.
  let recording = null;

  const startRecording = () => {
    const rec = { gaps: [], loafs: [], longTasks: [], ticksAtStart: state.ticks, redrawsAtStart: redrawsNow(), startedAt: performance.now(), running: true };
    let last = null;
    const frame = (now) => {
      if (!rec.running) return;
      if (last !== null) rec.gaps.push(now - last);
      last = now;
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    // Marks the traced window (the trace starts a little earlier, and its first frames pay for starting it).
    performance.mark('renderer-bench:start');
    rec.loafObserver = new PerformanceObserver((list) => rec.loafs.push(...list.getEntries().map(loafSummary)));
    rec.loafObserver.observe({ type: 'long-animation-frame' });
    rec.taskObserver = new PerformanceObserver((list) => rec.longTasks.push(...list.getEntries().map((e) => e.duration)));
    rec.taskObserver.observe({ type: 'longtask' });
    recording = rec;
  };

  const loafSummary = (entry) => ({
    duration: entry.duration,
    blockingDuration: entry.blockingDuration,
    renderMs: entry.renderStart > 0 ? entry.startTime + entry.duration - entry.renderStart : 0,
    styleAndLayoutMs: entry.styleAndLayoutStart > 0 ? entry.startTime + entry.duration - entry.styleAndLayoutStart : 0,
    scripts: entry.scripts.map((s) => ({
      invoker: s.invoker,
      invokerType: s.invokerType,
      sourceFunctionName: s.sourceFunctionName,
      sourceURL: s.sourceURL,
      duration: s.duration,
      forcedStyleAndLayoutDuration: s.forcedStyleAndLayoutDuration,
    })),
  });

  const stopRecording = () => {
    const rec = recording;
    if (!rec) throw new Error('not recording');
    recording = null;
    rec.running = false;
    performance.mark('renderer-bench:stop');
    rec.loafs.push(...rec.loafObserver.takeRecords().map(loafSummary));
    rec.longTasks.push(...rec.taskObserver.takeRecords().map((e) => e.duration));
    rec.loafObserver.disconnect();
    rec.taskObserver.disconnect();
    const recorded = state.tickLog.filter((tick) => tick.at >= rec.startedAt);
    return {
      seconds: (performance.now() - rec.startedAt) / 1000,
      gaps: rec.gaps,
      loafs: rec.loafs,
      longTasks: rec.longTasks,
      ticks: state.ticks - rec.ticksAtStart,
      chartRedraws: Object.fromEntries(Object.entries(redrawsNow()).map(([chart, n]) => [chart, n - (rec.redrawsAtStart[chart] ?? 0)])),
      tickIntervals: recorded.slice(1).map((tick, i) => tick.at - recorded[i].at),
      tickSizes: recorded.map((tick) => tick.size),
      points: pointsNow(),
      cards: count(CARDS),
      edges: count(EDGES),
    };
  };

  const status = () => ({ cards: count(CARDS), summaries: count(SUMMARIES), edges: count(EDGES), points: pointsNow(), ticks: state.ticks, milestones });

  window.__rendererBench = { firstRender, switchWindow, expandAll, startRecording, stopRecording, status };
})();
