import { isStructuralType, safeTest, subflowTemplateId } from '../shared/item-kinds.js';
import { dataValue } from './scan-values.js';

/**
 * Each node type the document uses that cannot be created here, listed once, in order
 * of first use: types `isKnownType` rejects, and subflow instances whose template is
 * not in the document. Never throws; anything unreadable is skipped (the validator
 * reports it).
 */
export function missingTypes(doc: unknown, isKnownType: (type: string) => boolean): string[] {
  const missing = new Set<string>();
  try {
    if (!Array.isArray(doc)) return [];
    const items = doc.filter((item): item is object => typeof item === 'object' && item !== null);
    const subflowIds = new Set<unknown>();
    for (const item of items) {
      if (dataValue(item, 'type') === 'subflow') subflowIds.add(dataValue(item, 'id'));
    }
    for (const item of items) {
      const type = dataValue(item, 'type');
      if (typeof type !== 'string' || type === '' || isStructuralType(type) || missing.has(type)) continue;
      const templateId = subflowTemplateId(type);
      const known = templateId === undefined ? safeTest(isKnownType, type) : subflowIds.has(templateId);
      if (!known) missing.add(type);
    }
  } catch {
    // A hostile document (throwing proxy) yields what was found before it threw.
  }
  return [...missing];
}
