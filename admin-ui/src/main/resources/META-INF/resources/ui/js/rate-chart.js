// rate-chart.js: a small live chart of a rate, drawn by uPlot (served from the console's jar).
import uPlot from '../vendor/uplot/uPlot.esm.js';

/** RateChart is one sparkline; update() redraws it with a series from Rates. */
export class RateChart {
  constructor(label, color) {
    this.el = document.createElement('span');
    this.el.className = 'spark';
    this.el.setAttribute('role', 'img');
    this.el.setAttribute('aria-label', label);
    this.plot = new uPlot({
      width: 110,
      height: 30,
      pxAlign: false,
      cursor: { show: false },
      legend: { show: false },
      select: { show: false },
      scales: { x: { time: false }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: color, width: 1.5, fill: color + '22', points: { show: false } }],
    }, [[], []], this.el);
  }

  update(series) {
    this.plot.setData([series.times, series.rates]);
  }
}
