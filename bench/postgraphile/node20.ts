// PostGraphile 5 declares Node >= 22: grafast, @dataplan/pg and grafserv call
// Promise.withResolvers (Node 22+), which Node 20 lacks, and without it every database step fails
// ("Cannot read properties of undefined (reading 'items')"). The bench's PostGraphile process adds
// this one standard method so it runs on the project's Node 20; nothing else is changed.
interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

const PromiseWithResolvers = Promise as unknown as { withResolvers?: <T>() => Deferred<T> };
PromiseWithResolvers.withResolvers ??= <T>(): Deferred<T> => {
  let resolve!: Deferred<T>['resolve'];
  let reject!: Deferred<T>['reject'];
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};
