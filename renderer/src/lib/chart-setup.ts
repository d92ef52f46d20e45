// Chart.js, registered once with only what the charts use (tree-shaken), and the date-fns
// adapter for the time scale. No decimation plugin: the charts hand Chart.js at most about
// two points per pixel already (lib/bucketed-series.ts). The filler draws the grey band.
import { Chart, Filler, LinearScale, LineController, LineElement, PointElement, TimeScale, Tooltip } from 'chart.js';
import 'chartjs-adapter-date-fns';

Chart.register(LineController, LineElement, PointElement, LinearScale, TimeScale, Tooltip, Filler);

export { Chart };
