// Typed Svelte contexts: components below App reach the session and the theme through these.
import { createContext } from 'svelte';
import type { Session } from '../state/session.svelte';
import type { ThemeState } from '../state/theme.svelte';
import type { ChartView } from '../state/chart-view.svelte';

export const [getSession, setSession] = createContext<Session>();
export const [getTheme, setTheme] = createContext<ThemeState>();
export const [getChartView, setChartView] = createContext<ChartView>();
