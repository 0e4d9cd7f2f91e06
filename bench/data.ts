/**
 * Realistic Vietnamese customers and events for benchmarks and demo data: names with
 * diacritics, mobile numbers in the formats people type, emails, several devices per person,
 * and channels (web, app, POS) that identify the same person differently, so merges happen.
 */
import { seededRandom } from '../server/src/platform/random';

const HO = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'];
const DEM_NAM = ['Văn', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Gia', 'Công'];
const DEM_NU = ['Thị', 'Ngọc', 'Thu', 'Thanh', 'Mai', 'Khánh', 'Bảo', 'Kim'];
const TEN_NAM = ['An', 'Bình', 'Dũng', 'Hải', 'Hiếu', 'Hùng', 'Khoa', 'Long', 'Minh', 'Nam', 'Phong', 'Quang', 'Quân', 'Sơn', 'Tuấn', 'Việt'];
const TEN_NU = ['Anh', 'Chi', 'Giang', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngọc', 'Phương', 'Tâm', 'Thảo', 'Trang', 'Vy', 'Yến'];
const PREFIXES = ['090', '091', '093', '094', '096', '097', '098', '086', '088', '032', '033', '035', '038', '070', '076', '077', '079', '081', '083', '085', '056'];
const DOMAINS = ['gmail.com', 'yahoo.com.vn', 'outlook.com', 'hotmail.com', 'fpt.vn'];
const PRODUCTS = ['Áo thun cotton', 'Quần jean nam', 'Váy hoa nhí', 'Giày thể thao', 'Túi xách da', 'Nón bảo hiểm', 'Áo dài lụa', 'Son môi', 'Nước hoa', 'Balo laptop'];
const STORES = ['Cửa hàng Hoàn Kiếm', 'Cửa hàng Cầu Giấy', 'Cửa hàng Quận 1', 'Cửa hàng Quận 7', 'Cửa hàng Thủ Đức'];

/** A small deterministic PRNG so runs are comparable. */
export const rng = seededRandom;

const pick = <T>(r: () => number, list: readonly T[]): T => list[Math.floor(r() * list.length)]!;

function slug(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '.');
}

export interface Person {
  index: number;
  name: string;
  firstName: string;
  lastName: string;
  gender: 'male' | 'female';
  email: string;
  /** As the customer would type it at a POS: one of several formats. */
  phoneTyped: string;
  phoneDigits: string;
  userId: string;
  devices: string[];
  birthday: string;
  city: string;
}

export function makePerson(i: number, r: () => number): Person {
  const female = r() < 0.55;
  const ho = pick(r, HO);
  const dem = pick(r, female ? DEM_NU : DEM_NAM);
  const ten = pick(r, female ? TEN_NU : TEN_NAM);
  const national = pick(r, PREFIXES) + String(Math.floor(r() * 1e7)).padStart(7, '0');
  const fmt = Math.floor(r() * 4);
  const phoneTyped =
    fmt === 0
      ? `${national.slice(0, 4)} ${national.slice(4, 7)} ${national.slice(7)}`
      : fmt === 1
        ? `+84${national.slice(1)}`
        : fmt === 2
          ? `84${national.slice(1)}`
          : national;
  const devices = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, d) => `anon-${i}-${d}-${Math.floor(r() * 1e9).toString(36)}`);
  const year = 1970 + Math.floor(r() * 35);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  return {
    index: i,
    name: `${ho} ${dem} ${ten}`,
    firstName: ten,
    lastName: ho,
    gender: female ? 'female' : 'male',
    email: `${slug(ten)}.${slug(ho)}${i}@${pick(r, DOMAINS)}`,
    phoneTyped,
    phoneDigits: national,
    userId: `cus_${100000 + i}`,
    devices,
    birthday: `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`,
    city: r() < 0.5 ? 'Hà Nội' : 'TP. Hồ Chí Minh',
  };
}

let counter = 0;
const runId = Date.now().toString(36);

/**
 * One event for a person: browsing on a device (anonymous), signing in (identify with
 * userId + email), or buying at a store (identified by phone). Overlaps cause merges.
 */
export function makeEvent(p: Person, r: () => number, at: Date): Record<string, unknown> {
  const messageId = `bench-${runId}-${++counter}`;
  const device = pick(r, p.devices);
  const roll = r();
  const base = { messageId, timestamp: at.toISOString() };
  if (roll < 0.55) {
    return { ...base, type: 'track', anonymousId: device, event: 'Product Viewed', properties: { product: pick(r, PRODUCTS), price: 100000 + Math.floor(r() * 20) * 50000, currency: 'VND' }, context: { page: { path: '/san-pham' }, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X)' } };
  }
  if (roll < 0.7) return { ...base, type: 'page', anonymousId: device, name: 'Trang chủ', properties: { path: '/' } };
  if (roll < 0.85) {
    return { ...base, type: 'identify', anonymousId: device, userId: p.userId, traits: { name: p.name, email: p.email, gender: p.gender, birthday: p.birthday, city: p.city } };
  }
  return {
    ...base,
    type: 'track',
    anonymousId: `pos-receipt-${counter}`,
    event: 'Order Completed',
    properties: { order_id: `POS-${counter}`, total: 200000 + Math.floor(r() * 40) * 50000, currency: 'VND', store: pick(r, STORES) },
    context: { traits: { phone: p.phoneTyped, email: r() < 0.5 ? p.email : undefined } },
  };
}
