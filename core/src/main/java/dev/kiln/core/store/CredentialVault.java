package dev.kiln.core.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals credentials before they are stored (AES-256-GCM), with a key kept in the data directory, readable by
 * Kiln alone: a copy of the database, or a reader of its columns, gets nothing usable.
 */
public final class CredentialVault {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int KEY_BYTES = 32;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    private final SecretKeySpec key;

    private CredentialVault(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /**
     * The vault of a data directory, creating its key on first use. Every node of a cluster that shares a
     * database needs the same key file.
     *
     * @param keyFile for example {@code <data>/credentials.key}
     * @return the vault
     * @throws IOException when the key cannot be read or made
     */
    public static CredentialVault open(Path keyFile) throws IOException {
        if (!Files.exists(keyFile)) {
            byte[] fresh = new byte[KEY_BYTES];
            RANDOM.nextBytes(fresh);
            Path temporary = Files.createTempFile(keyFile.getParent(), ".credentials", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(temporary, Base64.getEncoder().encodeToString(fresh) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(temporary, keyFile);
            } catch (FileAlreadyExistsException e) {
                // Another start made it first; use theirs.
                Files.deleteIfExists(temporary);
            }
        }
        byte[] key = Base64.getDecoder().decode(Files.readString(keyFile, StandardCharsets.UTF_8).strip());
        if (key.length != KEY_BYTES) {
            throw new IOException(keyFile + " does not hold a " + KEY_BYTES + " byte key; restore it from a backup");
        }
        return new CredentialVault(key);
    }

    /**
     * A vault whose key lives in memory only, for stores that never outlive one process (tests).
     *
     * @return the vault
     */
    public static CredentialVault inMemory() {
        byte[] key = new byte[KEY_BYTES];
        RANDOM.nextBytes(key);
        return new CredentialVault(key);
    }

    String seal(String plain) {
        try {
            byte[] iv = new byte[IV_BYTES];
            RANDOM.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[IV_BYTES + sealed.length];
            System.arraycopy(iv, 0, out, 0, IV_BYTES);
            System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
            return "v1:" + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal a credential: " + e.getMessage(), e);
        }
    }

    String unseal(String sealed) {
        try {
            byte[] in = Base64.getDecoder().decode(sealed.substring("v1:".length()));
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
            return new String(cipher.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException | StringIndexOutOfBoundsException e) {
            throw new IllegalStateException("a stored repository credential cannot be read with this node's key "
                    + "(every node needs the same credentials.key): " + e.getMessage(), e);
        }
    }
}
