import type { Linter } from 'eslint';
/** Flat-config entries holding the layer rules (see eslint.layers.js). */
export declare const layerConfigs: Linter.Config[];
