import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type UserConfig } from 'vite';

const repoRoot = resolve(import.meta.dirname, '..');

/**
 * One Vite configuration for both apps: `app` is the directory under `web/`, `base` the path the
 * gateway (or CloudFront) serves it under. `vite dev` proxies the API and sign-in to `npm start`.
 */
export function appConfig(app: string, base: string, outName: string): UserConfig {
  const api = `http://127.0.0.1:${process.env.PORT ?? 3000}`;
  return defineConfig({
    root: resolve(repoRoot, 'web', app),
    base,
    plugins: [react()],
    build: {
      outDir: resolve(repoRoot, 'dist', 'web', outName),
      emptyOutDir: true,
      target: 'es2020',
      chunkSizeWarningLimit: 1500,
    },
    server: {
      proxy: Object.fromEntries(
        ['/v1', '/openapi.json', '/runtime-config.json', '/oidc', '/styles.css'].map((p) => [p, api]),
      ),
    },
  });
}
