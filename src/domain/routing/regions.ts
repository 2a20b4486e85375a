/** Routing regions of mainland China and the province table that derives them (RT-1). */
import { z } from 'zod';

/** The seven routing regions warehouses are planned around. */
export const regionSchema = z.enum(['north', 'northeast', 'east', 'central', 'south', 'southwest', 'northwest']);
/** A routing region id, e.g. `east` for East China. */
export type Region = z.infer<typeof regionSchema>;

/** One province: its short Chinese name and the English spellings channels send. */
interface ProvinceEntry {
  readonly zh: string;
  readonly en: readonly string[];
}

/** The region table as data, so operations can read and change it; names are what channels send. */
export const regionTable: Readonly<Record<Region, { label: string; zh: string; provinces: readonly ProvinceEntry[] }>> = {
  north: {
    label: 'North China',
    zh: '华北',
    provinces: [
      { zh: '北京', en: ['Beijing'] },
      { zh: '天津', en: ['Tianjin'] },
      { zh: '河北', en: ['Hebei'] },
      { zh: '山西', en: ['Shanxi'] },
      { zh: '内蒙古', en: ['Inner Mongolia', 'Nei Mongol', 'Neimenggu'] },
    ],
  },
  northeast: {
    label: 'Northeast China',
    zh: '东北',
    provinces: [
      { zh: '辽宁', en: ['Liaoning'] },
      { zh: '吉林', en: ['Jilin'] },
      { zh: '黑龙江', en: ['Heilongjiang'] },
    ],
  },
  east: {
    label: 'East China',
    zh: '华东',
    provinces: [
      { zh: '上海', en: ['Shanghai'] },
      { zh: '江苏', en: ['Jiangsu'] },
      { zh: '浙江', en: ['Zhejiang'] },
      { zh: '安徽', en: ['Anhui'] },
      { zh: '福建', en: ['Fujian'] },
      { zh: '江西', en: ['Jiangxi'] },
      { zh: '山东', en: ['Shandong'] },
    ],
  },
  central: {
    label: 'Central China',
    zh: '华中',
    provinces: [
      { zh: '河南', en: ['Henan'] },
      { zh: '湖北', en: ['Hubei'] },
      { zh: '湖南', en: ['Hunan'] },
    ],
  },
  south: {
    label: 'South China',
    zh: '华南',
    provinces: [
      { zh: '广东', en: ['Guangdong'] },
      { zh: '广西', en: ['Guangxi'] },
      { zh: '海南', en: ['Hainan'] },
      { zh: '香港', en: ['Hong Kong', 'Hongkong'] },
      { zh: '澳门', en: ['Macau', 'Macao'] },
    ],
  },
  southwest: {
    label: 'Southwest China',
    zh: '西南',
    provinces: [
      { zh: '重庆', en: ['Chongqing'] },
      { zh: '四川', en: ['Sichuan'] },
      { zh: '贵州', en: ['Guizhou'] },
      { zh: '云南', en: ['Yunnan'] },
      { zh: '西藏', en: ['Tibet', 'Xizang'] },
    ],
  },
  northwest: {
    label: 'Northwest China',
    zh: '西北',
    provinces: [
      { zh: '陕西', en: ['Shaanxi'] },
      { zh: '甘肃', en: ['Gansu'] },
      { zh: '青海', en: ['Qinghai'] },
      { zh: '宁夏', en: ['Ningxia'] },
      { zh: '新疆', en: ['Xinjiang'] },
    ],
  },
};

// Longest suffixes first, so "广西壮族自治区" loses "壮族自治区" rather than only "自治区".
const chineseSuffixes = ['维吾尔自治区', '壮族自治区', '回族自治区', '特别行政区', '自治区', '省', '市'];
const englishSuffixes = [' province', ' municipality', ' autonomous region', ' sar'];

/** A lookup key for a province name: no administrative suffix, no case, no spaces or hyphens. */
function provinceKey(name: string): string {
  let key = name.trim();
  const zhSuffix = chineseSuffixes.find((suffix) => key.length > suffix.length && key.endsWith(suffix));
  if (zhSuffix) key = key.slice(0, -zhSuffix.length);
  key = key.toLowerCase();
  const enSuffix = englishSuffixes.find((suffix) => key.endsWith(suffix));
  if (enSuffix) key = key.slice(0, -enSuffix.length);
  return key.replace(/[\s-]+/g, '');
}

// Built once at load: routing looks a province up per order, never scans the table.
const byKey = new Map<string, { zh: string; region: Region }>();
for (const region of regionSchema.options) {
  for (const province of regionTable[region].provinces) {
    for (const name of [province.zh, ...province.en]) byKey.set(provinceKey(name), { zh: province.zh, region });
  }
}

/** The canonical (short Chinese) name of a province, or the trimmed input when it is not in the table. */
export function canonicalProvince(name: string): string {
  return byKey.get(provinceKey(name))?.zh ?? name.trim();
}

/** The routing region of a province in any supported spelling (上海, 上海市, Shanghai), if known. */
export function regionOfProvince(province: string): Region | undefined {
  return byKey.get(provinceKey(province))?.region;
}

/** The English label of a region, e.g. "East China", for summaries support can read. */
export function regionLabel(region: Region): string {
  return regionTable[region].label;
}
