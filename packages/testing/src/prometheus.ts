import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/**
 * Scrapes a Prometheus endpoint and parses the text format with a parser library (parse-prometheus-text-format),
 * not the platform's own code, so a test sees what Prometheus would.
 */
export interface Sample {
  value?: string;
  labels?: Record<string, string>;
  buckets?: Record<string, string>;
  count?: string;
  sum?: string;
}

export interface Family {
  name: string;
  help: string;
  type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
  metrics: Sample[];
}

export class Scrape {
  /** Every sample as a series of its own (histograms' _bucket, _sum and _count too; see scrape()). */
  private readonly series: Family[];

  constructor(
    readonly families: Family[],
    readonly text: string,
    series: Family[],
  ) {
    this.series = series;
  }

  family(name: string): Family | undefined {
    return this.families.find((f) => f.name === name);
  }

  /** The samples of `name` whose labels include `labels` (`name_count` etc. for a histogram's series). */
  samples(name: string, labels: Record<string, string> = {}): Sample[] {
    const family = this.families.find((f) => f.name === name && f.type !== 'HISTOGRAM');
    // Untyped, a histogram's label sets come as one family per run of lines: gather them by name.
    const found = family ? [family] : this.series.filter((f) => f.name === name);
    return found
      .flatMap((f) => f.metrics)
      .filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  }

  /** A counter's or gauge's value summed over the matching samples (0 when there is none). */
  value(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((sum, m) => sum + Number(m.value ?? 0), 0);
  }

  /** A histogram's observation count summed over the matching label sets (0 when there is none). */
  count(name: string, labels: Record<string, string> = {}): number {
    if (this.family(name)?.type !== 'HISTOGRAM') throw new Error(`${name} is not a histogram`);
    return this.value(`${name}_count`, labels);
  }
}

export async function scrape(url: string): Promise<Scrape> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  const text = await response.text();
  // The library folds every label set of a histogram into one sample (its flattening keeps only the buckets):
  // parsed a second time with histograms declared untyped, each _bucket/_sum/_count line keeps its labels.
  const untyped = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
  return new Scrape(
    parsePrometheusTextFormat(text) as Family[],
    text,
    parsePrometheusTextFormat(untyped) as Family[],
  );
}
