import { appConfig } from '../vite.base.ts';

export default appConfig('worker', '/m/', 'm');
