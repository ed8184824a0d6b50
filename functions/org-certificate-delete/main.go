// Command org-certificate-delete is the Lambda function of the portal route "org-certificate-delete".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-certificate-delete") }
