/**
 * Saving a file the core produced (a CSV report or export) through a temporary Blob link: the
 * renderer never writes to disk itself.
 */
import { t } from './i18n';

/** Saves bytes the core produced under a file name, through a temporary Blob link. */
function saveBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Saves a CSV text (a JS string becomes UTF-8; a BOM at its start is kept) and says so in words. */
export function saveCsv(file: { fileName: string; csv: string }): string {
  saveBlob(file.fileName, new Blob([file.csv], { type: 'text/csv;charset=utf-8' }));
  return t('download.saved', { file: file.fileName });
}

/** Saves a text file the core produced (e.g. diagnostics JSON) to the downloads; returns its name. */
export function saveText(file: { fileName: string; text: string }, type = 'application/json'): string {
  saveBlob(file.fileName, new Blob([file.text], { type }));
  return file.fileName;
}
