/**
 * An image with a caption: <Figure src="diagram.svg" alt="…" caption="…" />. The compiler turns
 * `src` (a file beside the reading) into its URL and adds the image's width and height, so the
 * page keeps its layout while the image loads.
 */
export function Figure({
  src,
  alt,
  caption,
  width,
  height,
}: {
  src: string;
  alt: string;
  caption?: string;
  width?: number | string;
  height?: number | string;
}) {
  return (
    <figure className="my-6">
      <img src={src} alt={alt} width={width} height={height} loading="lazy" decoding="async" className="mx-auto block h-auto max-w-full rounded-lg" />
      {caption ? <figcaption className="mt-2 text-center text-base leading-normal text-gray-700">{caption}</figcaption> : null}
    </figure>
  );
}
