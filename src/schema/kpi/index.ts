// The KPI graph: imports each root field's module for its side effects.
import './query.agency-ranking.js';
import './query.kpi-breakdown.js';
import './query.kpi-completeness.js';
import './query.kpi-cross-breakdown.js';
import './query.kpi-series.js';
import './query.kpi-revisions.js';
import './query.kpi-summary.js';
import './query.programme-kpis.js';
import './mutation.decide-kpi-revision.js';
import './mutation.recompute-kpis.js';
import './mutation.set-target-phases.js';
import './subscription.kpi-refreshed.js';
import './mutation.start-kpi-export.js';
import './mutation.save-kpi-view.js';
