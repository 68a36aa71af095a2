// Files out of a drop or a picker, folders included (each file named by its path inside the dropped folder).

export interface Picked {
  file: File;
  name: string;
}

type Entry = FileSystemEntry;

function readAll(reader: FileSystemDirectoryReader): Promise<Entry[]> {
  // readEntries answers in pages (100 in Chromium) until an empty one.
  return new Promise((resolve, reject) => {
    const all: Entry[] = [];
    const next = () =>
      reader.readEntries((page) => {
        if (!page.length) resolve(all);
        else {
          all.push(...page);
          next();
        }
      }, reject);
    next();
  });
}

async function walk(entry: Entry, out: Picked[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ file, name: entry.fullPath.replace(/^\//, "") || file.name });
  } else if (entry.isDirectory) {
    for (const child of await readAll((entry as FileSystemDirectoryEntry).createReader())) await walk(child, out);
  }
}

/** What a drop holds. Must be called inside the drop handler: the items are gone once it returns, so the entries
 * and files are taken synchronously and read afterwards. */
export function droppedFiles(data: DataTransfer): Promise<Picked[]> {
  const entries = Array.from(data.items ?? [])
    .filter((item) => item.kind === "file")
    .map((item) => item.webkitGetAsEntry?.() ?? null);
  const files = Array.from(data.files ?? []);
  if (!entries.some((entry) => entry?.isDirectory)) return Promise.resolve(files.map((file) => ({ file, name: file.name })));
  return (async () => {
    const out: Picked[] = [];
    for (const [index, entry] of entries.entries()) {
      if (entry) await walk(entry, out);
      else if (files[index]) out.push({ file: files[index], name: files[index].name });
    }
    return out;
  })();
}

/** A picker's files; a folder picker (webkitdirectory) names them by their relative path. */
export function pickedFiles(list: FileList | null): Picked[] {
  return Array.from(list ?? []).map((file) => ({ file, name: file.webkitRelativePath || file.name }));
}
