// Command org-certificate-upload is the Lambda function of the portal route "org-certificate-upload".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-certificate-upload") }
