declare module 'vitest' {
  export interface ProvidedContext {
    /** The React major version a project runs its React tests against. */
    reactMajor: number;
  }
}

export {};
