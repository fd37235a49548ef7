import { appConfig } from '../vite.base.ts';

export default appConfig('console', '/console/', 'console');
