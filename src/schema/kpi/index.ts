// The KPI graph: imports each root field's module for its side effects.
import './query.agency-ranking.js';
import './query.kpi-breakdown.js';
import './query.kpi-series.js';
import './query.kpi-summary.js';
import './query.programme-kpis.js';
import './mutation.recompute-kpis.js';
import './mutation.set-target-phases.js';
