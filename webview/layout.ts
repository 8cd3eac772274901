/** The panel's page for one run: header, stepping toolbar, then the sections in a grid, and a live region. Built once per init. */
import type { InitMessage } from '../src/protocol';
import { h } from './dom';
import type { Panel } from './panel';
import { mountSaturation, mountWeights } from './sections/analysis';
import { mountCell } from './sections/cell';
import { mountChoices } from './sections/choices';
import { mountCompare } from './sections/compare';
import { mountPort } from './sections/port';
import { mountExplain } from './sections/explain';
import { mountGradientFlow } from './sections/gradient-flow';
import { mountTrajectory } from './sections/trajectory';
import { mountGates } from './sections/gates';
import { mountGraph } from './sections/graph';
import { mountHeader } from './sections/header';
import { mountHeat } from './sections/heat';
import { mountFilterMaps } from './sections/filter-maps';
import { mountInput } from './sections/input';
import { mountPlayground } from './sections/playground';
import { mountPredictions } from './sections/predictions';
import { mountStepDetail } from './sections/step-detail';
import { mountTables } from './sections/tables';
import { mountToolbar, type Toolbar } from './sections/toolbar';
import type { View } from './store';

export interface Layout {
  views: View[];
  toolbar: Toolbar;
}

export function mountLayout(p: Panel, init: InitMessage, app: HTMLElement): Layout {
  const top = document.createDocumentFragment();
  const header = mountHeader(p, init, top);
  const choices = mountChoices(p, init, top);
  const toolbar = mountToolbar(p, top);
  const grid = h('main', 'grid');
  const views = [
    header,
    choices,
    toolbar,
    mountGraph(p, init, grid),
    mountGates(p, grid),
    mountHeat(p, grid),
    mountFilterMaps(p, grid),
    mountStepDetail(p, grid),
    mountPredictions(p, grid),
    mountCell(p, grid),
    mountInput(p, grid),
    mountPlayground(p, grid),
    mountCompare(p, init, grid),
    mountPort(p, grid),
    mountExplain(p, grid),
    mountGradientFlow(p, grid),
    mountTrajectory(p, grid),
    mountSaturation(p, grid),
    mountWeights(p, grid),
    mountTables(p, grid),
  ];
  app.append(top, grid);
  return { views, toolbar };
}
