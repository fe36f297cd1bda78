/**
 * A pure-Java JPEG-LS (ITU-T T.87 / ISO/IEC 14495-1) decoder and its ImageIO plugin.
 *
 * <p>{@link org.medlake.dicom.codec.jpegls.JpegLsDecoder} turns a codestream into a
 * {@link org.medlake.dicom.codec.jpegls.JpegLsImage}; {@link org.medlake.dicom.codec.jpegls.JpegLsImageReaderSpi},
 * registered in {@code META-INF/services/javax.imageio.spi.ImageReaderSpi} under the format name {@code jpeg-ls},
 * is what PixelMed's {@code CompressedFrameDecoder} finds for the JPEG-LS transfer syntaxes
 * (1.2.840.10008.1.2.4.80 lossless, .81 near-lossless), so {@code AttributeList} and {@code SourceImage} decode such
 * Pixel Data without further set-up. Decoding only; there is no encoder outside the tests.
 */
package org.medlake.dicom.codec.jpegls;
