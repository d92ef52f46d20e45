// What electron-vite replaces in the main process's bundle at build time (Vite's built-in
// import.meta.env): DEV is a literal true under `electron-vite dev`, false under `electron-vite build`.
interface ImportMetaEnv {
  readonly DEV: boolean;
  readonly MODE: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
