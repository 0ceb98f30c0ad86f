/** Types of build-state.js (plain JavaScript, so the launchers in bin/ run without a compiler). */
export declare const MANIFEST: string;
export declare const ENTRY: string;
export declare function fingerprint(file: string): [number, number] | null;
export declare function manifestText(inputs: Record<string, [number, number] | null>): string;
export declare function compiledEntry(distDir: URL | string): string | null;
export declare function runCommand(distDir: URL, sourceMain: URL): Promise<void>;
