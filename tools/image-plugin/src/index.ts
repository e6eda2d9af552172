export { createNodes } from './plugins/plugin';
