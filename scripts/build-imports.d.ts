/** Types of build-imports.js (plain JavaScript, run by build.js without a compiler). */
export declare function directImports(text: string, file: string, packages?: Record<string, string>): string;
